package dev.animagine.spark.captions;

import dev.animagine.core.InvalidArgumentException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;

/**
 * Reads Danbooru post metadata (JSONL as in Danbooru's API and dumps, or Parquet) into the columns a
 * caption needs, with a {@code problem} column that names what is wrong with a post, if anything.
 *
 * <p>Fields: id, tag_string_general, tag_string_character, tag_string_copyright, tag_string_artist,
 * tag_string_meta, rating (g, s, q, e, or general/sensitive/questionable/explicit), score, created_at
 * (the year is read as written, e.g. 2010 from {@code 2010-12-31T23:30:00.000-05:00}), image_width,
 * image_height, and file_path (the image key; the post id when absent).
 */
final class DanbooruMetadata {
    static final List<String> REQUIRED = List.of("id", "rating", "score", "created_at", "image_width", "image_height");
    static final List<String> TAG_FIELDS = List.of("tag_string_general", "tag_string_character",
            "tag_string_copyright", "tag_string_artist", "tag_string_meta");
    private static final String CORRUPT = "_corrupt_record";

    /** JSON is read with this schema (no inference pass); a value of the wrong type lands in _corrupt_record. */
    static final StructType JSON_SCHEMA = new StructType()
            .add("id", DataTypes.LongType)
            .add("tag_string_general", DataTypes.StringType)
            .add("tag_string_character", DataTypes.StringType)
            .add("tag_string_copyright", DataTypes.StringType)
            .add("tag_string_artist", DataTypes.StringType)
            .add("tag_string_meta", DataTypes.StringType)
            .add("rating", DataTypes.StringType)
            .add("score", DataTypes.DoubleType)
            .add("created_at", DataTypes.StringType)
            .add("image_width", DataTypes.LongType)
            .add("image_height", DataTypes.LongType)
            .add("file_path", DataTypes.StringType)
            .add(CORRUPT, DataTypes.StringType);

    private DanbooruMetadata() {}

    static Dataset<Row> read(SparkSession spark, String input, String format) {
        String f = format != null ? format.toLowerCase(Locale.ROOT) : guessFormat(input);
        Dataset<Row> raw = switch (f) {
            case "json", "jsonl" -> spark.read().schema(JSON_SCHEMA).option("mode", "PERMISSIVE")
                    .option("columnNameOfCorruptRecord", CORRUPT).json(input);
            case "parquet" -> spark.read().parquet(input);
            default -> throw new InvalidArgumentException("--format " + format + ": expected json or parquet");
        };
        List<String> columns = Arrays.asList(raw.columns());
        for (String c : REQUIRED) {
            if (!columns.contains(c))
                throw new InvalidArgumentException(input + ": no field " + c + " (needs " + String.join(", ", REQUIRED) + ")");
        }
        return normalize(raw, columns);
    }

    static String guessFormat(String input) {
        String name = input.toLowerCase(Locale.ROOT);
        return name.endsWith(".parquet") || name.endsWith(".parq") ? "parquet" : "json";
    }

    private static Dataset<Row> normalize(Dataset<Row> raw, List<String> columns) {
        Column id = col("id").try_cast(DataTypes.LongType);
        Column key = columns.contains("file_path")
                ? coalesce(when(length(trim(col("file_path"))).gt(0), col("file_path").cast(DataTypes.StringType)), id.cast(DataTypes.StringType))
                : id.cast(DataTypes.StringType);
        Column ratingRaw = lower(trim(col("rating").cast(DataTypes.StringType)));
        Column rating = when(ratingRaw.isin("g", "s", "q", "e", "general", "sensitive", "questionable", "explicit"),
                substring(ratingRaw, 1, 1));
        Column created = col("created_at");
        boolean timestamp = raw.schema().apply("created_at").dataType() instanceof org.apache.spark.sql.types.TimestampType
                || raw.schema().apply("created_at").dataType() instanceof org.apache.spark.sql.types.DateType;
        Column yearCol = timestamp
                ? year(created)
                : regexp_extract(created.cast(DataTypes.StringType), "^\\s*(\\d{4})-", 1).try_cast(DataTypes.IntegerType);
        Column width = col("image_width").try_cast(DataTypes.IntegerType);
        Column height = col("image_height").try_cast(DataTypes.IntegerType);
        Column score = col("score").try_cast(DataTypes.DoubleType);

        Dataset<Row> n = raw.select(
                id.as("id"), key.as("key"),
                tag(columns, "tag_string_general").as("general"),
                tag(columns, "tag_string_character").as("character"),
                tag(columns, "tag_string_copyright").as("copyright"),
                tag(columns, "tag_string_artist").as("artist"),
                tag(columns, "tag_string_meta").as("meta"),
                rating.as("rating"), col("rating").cast(DataTypes.StringType).as("rating_raw"),
                score.as("score"), yearCol.as("year"), created.cast(DataTypes.StringType).as("created_raw"),
                width.as("width"), height.as("height"),
                columns.contains(CORRUPT) ? col(CORRUPT) : lit(null).cast(DataTypes.StringType).as(CORRUPT));
        Column problem = coalesce(
                when(col(CORRUPT).isNotNull(), concat(lit("not a post with the expected field types: "), substring(col(CORRUPT), 1, 200))),
                when(col("id").isNull(), lit("no id")),
                when(col("rating").isNull(), concat(lit("rating '"), coalesce(col("rating_raw"), lit("")), lit("': expected g, s, q or e"))),
                when(col("score").isNull(), lit("no score")),
                when(col("year").isNull(), concat(lit("created_at '"), coalesce(col("created_raw"), lit("")),
                        lit("': expected a date such as 2019-04-01T12:00:00.000-04:00"))),
                when(col("width").isNull().or(col("height").isNull()).or(col("width").leq(0)).or(col("height").leq(0)),
                        lit("image_width and image_height must be positive integers")),
                when(col("key").rlike("[\\t\\n\\r]"), concat(lit("file_path '"), col("key"), lit("' has a tab or line break"))),
                when(col("key").rlike("(^|[/\\\\])\\.\\.([/\\\\]|$)"), concat(lit("file_path '"), col("key"), lit("' leaves its directory (..)"))));
        return n.withColumn("problem", problem).drop(CORRUPT, "rating_raw", "created_raw");
    }

    private static Column tag(List<String> columns, String name) {
        return columns.contains(name) ? col(name).cast(DataTypes.StringType) : lit(null).cast(DataTypes.StringType);
    }

    /** The post a normalized row holds. */
    static DanbooruPost post(Row r) {
        return new DanbooruPost(
                r.getLong(r.fieldIndex("id")),
                r.getString(r.fieldIndex("key")),
                r.getString(r.fieldIndex("general")),
                r.getString(r.fieldIndex("character")),
                r.getString(r.fieldIndex("copyright")),
                r.getString(r.fieldIndex("artist")),
                r.getString(r.fieldIndex("meta")),
                r.getString(r.fieldIndex("rating")).charAt(0),
                r.getDouble(r.fieldIndex("score")),
                r.getInt(r.fieldIndex("year")),
                r.getInt(r.fieldIndex("width")),
                r.getInt(r.fieldIndex("height")));
    }
}
