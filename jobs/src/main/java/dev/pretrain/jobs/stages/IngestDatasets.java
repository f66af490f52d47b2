package dev.pretrain.jobs.stages;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;

import java.util.Arrays;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

import dev.pretrain.corpus.ingest.DocumentFormat;
import dev.pretrain.corpus.ingest.DropReason;
import dev.pretrain.corpus.ingest.SourceSpec;

/**
 * The raw documents of a Parquet or ORC dataset source ({@link DocumentFormat#PARQUET}, {@link DocumentFormat#ORC}),
 * read by Spark ({@code spark.read().parquet/orc}): one file or a folder of them (Hugging Face datasets publish
 * {@code data/train-00000-of-00010.parquet}-style folders). One document per row: the string column
 * {@link SourceSpec#field()}; the optional {@link SourceSpec#idField()} (any type, as a string) and
 * {@link SourceSpec#urlField()} (as a string) become the document's {@code record_id} and {@code url}; its
 * {@code source} is the file the row came from. A row whose text is null is dropped as
 * {@link DropReason#BAD_RECORD}, one longer than the read cap as {@link DropReason#OVERSIZED}.
 */
final class IngestDatasets {
    private IngestDatasets() {}

    /**
     * The dataset of a source, its columns checked.
     *
     * @throws IllegalArgumentException naming the source and path if it cannot be read, a named column is missing,
     *                                  or the text column is not a string column
     */
    static Dataset<Row> read(SparkSession spark, SourceSpec spec) {
        Dataset<Row> ds;
        try {
            ds = spec.format() == DocumentFormat.PARQUET ? spark.read().parquet(spec.uri()) : spark.read().orc(spec.uri());
        } catch (Exception e) { // AnalysisException: path does not exist, not Parquet/ORC
            throw new IllegalArgumentException("ingest source '" + spec.name() + "': cannot read " + spec.format()
                    + " dataset " + spec.uri() + ": " + e.getMessage(), e);
        }
        List<String> names = Arrays.asList(ds.columns());
        for (String c : new String[] {spec.field(), spec.idField(), spec.urlField()}) {
            if (c != null && !names.contains(c)) {
                throw new IllegalArgumentException("ingest source '" + spec.name() + "': dataset " + spec.uri()
                        + " has no column '" + c + "' (columns: " + names + ")");
            }
        }
        DataType text = field(ds, spec.field()).dataType();
        if (!text.equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("ingest source '" + spec.name() + "': text column '" + spec.field()
                    + "' of " + spec.uri() + " is " + text.simpleString() + ", not string");
        }
        return ds;
    }

    private static StructField field(Dataset<Row> ds, String name) {
        return ds.schema().fields()[ds.schema().fieldIndex(name)];
    }

    /** The files Spark reads for the dataset, sorted. */
    static List<String> files(Dataset<Row> ds) {
        String[] f = ds.inputFiles();
        Arrays.sort(f);
        return List.of(f);
    }

    /** The dataset's rows as raw documents of source {@code specIndex}. */
    static JavaRDD<IngestStage.RawDocument> documents(Dataset<Row> ds, int specIndex, SourceSpec spec,
                                                      int maxDocChars) {
        Column id = spec.idField() == null ? lit(null).cast(DataTypes.StringType)
                : col(spec.idField()).cast(DataTypes.StringType);
        Column url = spec.urlField() == null ? lit(null).cast(DataTypes.StringType)
                : col(spec.urlField()).cast(DataTypes.StringType);
        String corpus = spec.name();
        return ds.select(col(spec.field()), id, url, input_file_name()).javaRDD().map(r -> {
            String t = r.getString(0);
            String drop = t == null ? DropReason.BAD_RECORD.key()
                    : t.length() > maxDocChars ? DropReason.OVERSIZED.key() : null;
            return new IngestStage.RawDocument(specIndex, corpus, r.getString(3), drop == null ? t : null, drop,
                    r.getString(1), r.getString(2), null);
        });
    }
}
