//! `reprint dedup --format parquet`: the records of `--format jsonl` as columns `id` and
//! `cluster` (strings), `keep` (boolean), `similarity` (double), and `relation` (string) with
//! `--containment`; none nullable, Snappy-compressed as pyarrow writes by default.

use super::Record;
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use reprint::dedup::Relation;
use std::io::Write;
use std::sync::Arc;

/// Records per row group: small enough to hold as columns, large enough for few groups.
const GROUP: usize = 1 << 16;

pub fn write<'a>(
    out: impl Write + Send,
    records: impl Iterator<Item = Record<'a>>,
    containment: bool,
) -> anyhow::Result<()> {
    let relation = if containment {
        "required binary relation (STRING);"
    } else {
        ""
    };
    let schema = format!(
        "message dedup {{ required binary id (STRING); required binary cluster (STRING); \
         required boolean keep; required double similarity; {relation} }}"
    );
    let schema = Arc::new(parquet::schema::parser::parse_message_type(&schema)?);
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer = SerializedFileWriter::new(out, schema, Arc::new(props))?;
    let mut records = records.peekable();
    while records.peek().is_some() {
        let group: Vec<Record> = records.by_ref().take(GROUP).collect();
        let ids: Vec<ByteArray> = group.iter().map(|r| ByteArray::from(r.id)).collect();
        let clusters: Vec<ByteArray> = group.iter().map(|r| r.cluster.into()).collect();
        let keep: Vec<bool> = group.iter().map(|r| r.keep).collect();
        let similarity: Vec<f64> = group.iter().map(|r| r.similarity).collect();
        let relations: Vec<ByteArray> = group
            .iter()
            .filter_map(|r| r.relation)
            .map(|r| ByteArray::from(relation_name(r)))
            .collect();
        let mut row_group = writer.next_row_group()?;
        let mut column = 0;
        while let Some(mut c) = row_group.next_column()? {
            match column {
                0 => c.typed::<ByteArrayType>().write_batch(&ids, None, None)?,
                1 => c
                    .typed::<ByteArrayType>()
                    .write_batch(&clusters, None, None)?,
                2 => c.typed::<BoolType>().write_batch(&keep, None, None)?,
                3 => c
                    .typed::<DoubleType>()
                    .write_batch(&similarity, None, None)?,
                _ => c
                    .typed::<ByteArrayType>()
                    .write_batch(&relations, None, None)?,
            };
            c.close()?;
            column += 1;
        }
        row_group.close()?;
    }
    writer.close()?;
    Ok(())
}

/// The relation as `--format jsonl` writes it.
fn relation_name(r: Relation) -> &'static str {
    match r {
        Relation::Representative => "representative",
        Relation::Jaccard => "jaccard",
        Relation::Containment => "containment",
    }
}
