package dev.pretrain.jobs.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.apache.spark.network.util.JavaUtils;

import dev.pretrain.corpus.ingest.DocumentFormat;
import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.corpus.ingest.filters.LanguageFilter;
import dev.pretrain.corpus.ingest.filters.WebFilters;

/**
 * The {@code pipeline} command's configuration, read from YAML (snake_case keys; unknown keys are
 * an error so that typos do not pass silently). Every field has a default: an empty file runs the
 * whole pipeline on the shared corpora with the defaults below. Paths are Hadoop URIs; a relative
 * path is resolved against the working directory.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public final class PipelineConfig {
    /** Run folder: every stage writes below it, plus report.json. */
    public String output = "runs/pipeline";
    /** Master when not under spark-submit. */
    public String master = "local[2]";
    /** Seed of every random choice. */
    public long seed = 12345;
    public Ingest ingest = new Ingest();
    public VocabCfg vocab = new VocabCfg();
    public Tokenize tokenize = new Tokenize();
    public Examples examples = new Examples();
    public Word2Vec word2vec = new Word2Vec();
    public Bert bert = new Bert();
    public Evaluate evaluate = new Evaluate();

    /** One input corpus. */
    public static final class Source {
        public String name;
        public String uri;
        /**
         * line | tsv | headings | blank_lines | file | jsonl | csv | wikipedia_xml | tagged_tar | brown | warc (also
         * arc, wet) | text_tar | parquet | orc
         */
        public String format = "line";
        public int column = 0;
        public boolean header = false;
        public String headingRegex;
        public String skipRegex;
        public boolean html = false;
        public boolean wikitext = false;
        /** Each line is a whole paragraph (WikiText) instead of hard-wrapped text (Gutenberg). */
        public boolean linePerParagraph = false;
        /** jsonl: the text field (name or JSON Pointer); csv: the text column's header name; parquet/orc: the text column. */
        public String field;
        /** csv: the delimiter, one character or "tab" (default ","). */
        public String delimiter = ",";
        /** tagged_tar, text_tar: regex of the member names to read (default: all). */
        public String members;
        /** csv: every record is one line (no quoted field holds a line break), so large files can be split. */
        public boolean singleLineRecords = false;
        /** parquet/orc: a column of record ids carried into the output (optional). */
        public String idColumn;
        /** parquet/orc: a column of URLs carried into the output (optional). */
        public String urlColumn;

        public SourceSpec toSpec() {
            if (name == null || uri == null) {
                throw new IllegalArgumentException("every source needs a name and a uri");
            }
            if ((idColumn != null || urlColumn != null) && !"parquet".equals(format) && !"orc".equals(format)) {
                throw new IllegalArgumentException("source " + name + ": id_column/url_column are parquet/orc"
                        + " settings, format is " + format);
            }
            SourceSpec s = switch (format) {
                case "line" -> SourceSpec.lines(name, uri);
                case "tsv" -> SourceSpec.tsv(name, uri, column, header);
                case "headings" -> SourceSpec.headings(name, uri, headingRegex, skipRegex);
                case "blank_lines" -> SourceSpec.blankLines(name, uri);
                case "file" -> SourceSpec.wholeFile(name, uri);
                case "jsonl" -> SourceSpec.jsonLines(name, uri, field);
                case "csv" -> SourceSpec.csv(name, uri, field, "tab".equals(delimiter) || "\t".equals(delimiter) ? '\t'
                        : delimiter.charAt(0));
                case "wikipedia_xml" -> SourceSpec.wikipediaXml(name, uri);
                case "tagged_tar" -> SourceSpec.taggedTar(name, uri, members);
                case "brown" -> SourceSpec.brown(name, uri);
                case "warc", "arc", "wet" -> SourceSpec.warc(name, uri);
                case "text_tar" -> SourceSpec.textTar(name, uri, members);
                case "parquet", "orc" -> SourceSpec.dataset(name, uri,
                        "parquet".equals(format) ? DocumentFormat.PARQUET : DocumentFormat.ORC, field, idColumn,
                        urlColumn);
                default -> throw new IllegalArgumentException("source " + name + ": unknown format '" + format
                        + "' (line, tsv, headings, blank_lines, file, jsonl, csv, wikipedia_xml, tagged_tar, brown,"
                        + " warc, arc, wet, text_tar, parquet, orc)");
            };
            boolean lpp = switch (format) { // formats whose lines are paragraphs by nature keep that default
                case "line", "tsv", "jsonl", "csv", "wikipedia_xml", "tagged_tar", "brown", "warc", "arc", "wet",
                        "parquet", "orc" -> true;
                default -> linePerParagraph;
            };
            s = s.withHtml(html).withWikitextDetokenize(wikitext).withLinePerParagraph(lpp || linePerParagraph);
            return singleLineRecords ? s.withSingleLineRecords(true) : s;
        }

        static Source of(String name, String uri, String format) {
            Source s = new Source();
            s.name = name;
            s.uri = uri;
            s.format = format;
            return s;
        }
    }

    public static final class Ingest {
        public String language = "en";
        public int minChars = 20;
        public int minSentences = 1;
        public long targetShardMb = 32;
        /** Quality filters (see QualityFilters): 0 / 1.0 switch a limit off. */
        public int maxChars = 1_000_000;
        public double maxSymbolRatio = 0.3;
        public double maxRepeatedLineRatio = 0.3;
        public boolean dropInvalidUtf8 = true;
        /** Read cap: a raw document longer than this is dropped as oversized. */
        public int maxDocumentChars = 10_000_000;
        /** Near-duplicate removal: MinHash LSH on word 5-gram shingles, Jaccard >= threshold. */
        public boolean nearDup = true;
        public double nearDupThreshold = 0.8;
        public int nearDupHashTables = 5;
        /**
         * Files larger than this (bytes, or "128m"-style) are read in byte-range splits on several tasks where the
         * format (line, tsv, jsonl, csv with single_line_records) and compression (none, bz2) allow it.
         */
        public String splitBytes = "128m";
        public List<Source> sources = defaultSources();
        /** Web-text filters (URL block list, Gopher, C4, FineWeb, PII), all off by default. */
        public WebFilterCfg filters = new WebFilterCfg();
        /** Language identification (Lingua): ISO 639-1 codes to keep, e.g. [en]; empty: off unless mode is tag. */
        public List<String> languages = new ArrayList<>();
        /** Minimum Lingua relative distance of the top language to the second (see LanguageFilter); below: "und". */
        public double languageMinConfidence = LanguageFilter.DEFAULT_MIN_CONFIDENCE;
        /** keep: drop documents of other languages; tag: keep all, count them per language. */
        public String languageMode = "keep";
        /** Languages the detector chooses from (null: LanguageFilter.DEFAULT_CANDIDATES plus the kept ones). */
        public List<String> languageCandidates;

        /** The configured web filters ({@link WebFilters#OFF} when none is on). */
        public WebFilters webFilters() {
            return filters.build(languageFilter(languages, languageMinConfidence, languageMode, languageCandidates));
        }
    }

    /**
     * {@code ingest.filters}: each switch turns one filter family on with the paper thresholds; {@code params}
     * overrides thresholds per family, e.g. {@code params: {gopher_quality: {min_doc_words: 30}}}.
     */
    public static final class WebFilterCfg {
        public boolean gopherQuality = false;
        public boolean gopherRepetition = false;
        public boolean c4 = false;
        public boolean fineweb = false;
        /** A block list file of domains and URLs (see UrlFilter). */
        public String urlBlocklist;
        public boolean pii = false;
        public Map<String, Map<String, String>> params = new LinkedHashMap<>();

        public WebFilters build(LanguageFilter language) {
            return WebFilters.configure(gopherQuality, gopherRepetition, c4, fineweb, urlBlocklist, pii, language,
                    params);
        }
    }

    /**
     * The language filter of these settings, or null (off) when {@code languages} is empty and the mode is keep.
     *
     * @param mode keep | tag | route (tag, and the shards written per language: {@code <output>/language=<code>})
     * @throws IllegalArgumentException on another mode or a bad language code
     */
    public static LanguageFilter languageFilter(List<String> languages, double minConfidence, String mode,
                                                List<String> candidates) {
        boolean keep = switch (mode) {
            case "keep" -> true;
            case "tag", "route" -> false;
            default -> throw new IllegalArgumentException("ingest.language_mode: want keep, tag or route, got '" + mode
                    + "'");
        };
        List<String> langs = languages == null ? List.of() : languages;
        if (keep && langs.isEmpty()) {
            return null;
        }
        return new LanguageFilter(langs, candidates == null ? LanguageFilter.DEFAULT_CANDIDATES : candidates,
                minConfidence, keep, LanguageFilter.DEFAULT_SAMPLE_CHARS, mode.equals("route"));
    }

    public static final class VocabCfg {
        public int size = 30522;
        public long minFrequency = 2;
        public boolean lowercase = true;
        public int numUnused = 0;
        /** WordPiece training criterion: bpe (HuggingFace's trainer) | likelihood (Schuster &amp; Nakajima 2012). */
        public String algorithm = "bpe";
        /** An existing vocab.txt to use instead of training one. */
        public String existing;
    }

    public static final class Tokenize {
        public int maxCharsPerWord = 100;
    }

    public static final class Examples {
        public int maxSeqLength = 128;
        public int maxPredictionsPerSeq = 20;
        public double maskedLmProb = 0.15;
        public double shortSeqProb = 0.1;
        public int dupeFactor = 1;
        public boolean wholeWordMasking = false;
        /** nsp (BERT) | sop (ALBERT sentence order, label 1 = swapped) | full_sentences (RoBERTa packing). */
        public String task = "nsp";
        /** static (masks in the files) | dynamic (train/ unmasked; train-bert masks each epoch, RoBERTa). */
        public String masking = "static";
        /** Sequence-length bin width (NVIDIA LDDL): adds length_bin and partitions the output by it; 0 = off. */
        public int binSize = 0;
        /** Least number of shards a split is generated in (random next sentences come from the same shard). */
        public int shards = 16;
        /** Input tokens a shard holds at most on average (bounds a task's memory); 0 = exactly {@code shards}. */
        public long targetShardTokens = dev.pretrain.examples.mlm.MlmShards.DEFAULT_TARGET_SHARD_TOKENS;
        public double heldoutFraction = 0.01;
        public SkipGram skipgram = new SkipGram();
    }

    public static final class SkipGram {
        /** Whether the pipeline writes skip-gram pairs (train-word2vec generates its own on the fly). */
        public boolean enabled = true;
        /** Share of documents to write pairs for. */
        public double fraction = 0.02;
    }

    public static final class Word2Vec {
        public int dim = 100;
        public int window = 5;
        public int negative = 5;
        public double sample = 1e-4;
        public double alpha = 0.025;
        public double minAlpha = 0.0001;
        public int epochs = 3;
        public long minCount = 5;
        public int partitions = 2;
        public int roundsPerEpoch = 16;
        public int threadsPerPartition = 1;
    }

    public static final class Bert {
        /**
         * Model size: tiny, mini, small, medium (Turc et al. 2019), base or large (Devlin et al. 2019); unset: tiny,
         * or the {@code bert_config} file when that is given (setting both is an error).
         */
        public String model;
        /** Google bert_config.json or HF config.json (Hadoop path) giving the architecture instead of {@code model}. */
        public String bertConfig;
        public int batchSizePerWorker = 16;
        public int averagingFrequency = 10;
        /** average (DL4J parameter averaging), nesterov (DiLoCo) or block-momentum (BMUF): see OuterOptimizer. */
        public String outerOptimizer = "average";
        /** Outer learning rate of nesterov / block-momentum (unset: DiLoCo's 0.7). */
        public Double outerLearningRate;
        /** Outer momentum of nesterov / block-momentum (unset: DiLoCo's 0.9). */
        public Double outerMomentum;
        public int workers = 2;
        public int epochs = 1;
        public double learningRate = 1e-3;
        public double weightDecay = 0.01;
        public int warmupSteps = 20;
        public int maxTrainExamples = 3_200;
        public int maxHeldoutExamples = 256;
        /** Held-out evaluation every this many averaging rounds (0: once per epoch). */
        public int evalEveryRounds = 2;
        /** Held-out instances (besides max_heldout_examples) that pick the saved model by early stopping (0: last). */
        public int validationExamples = 256;
        /** Stop at the first evaluation past this wall time (0: no limit). */
        public double timeLimitSeconds = 480;
        /** Checkpoint every N averaging rounds into the run's bert/checkpoints/ and resume from there (0: off). */
        public int checkpointEvery = 0;
    }

    public static final class Evaluate {
        public String analogies = "../shared/data/analogy/questions-words.txt";
        public Map<String, String> similarity = defaultSimilarity();
    }

    static List<Source> defaultSources() {
        String dir = "../shared/data/corpora/";
        List<Source> l = new ArrayList<>();
        Source imdb = Source.of("imdb-unsup", dir + "imdb-aclImdb-v1-unsup-50k.tsv.gz", "tsv");
        imdb.column = 4;
        imdb.header = true;
        imdb.html = true;
        l.add(imdb);
        Source wiki = Source.of("wikitext-2", dir + "wikitext-2-raw-test.hf-crlf.raw", "headings");
        wiki.headingRegex = "^ = [^=].* = $";
        wiki.skipRegex = "^ = = .* = = *$";
        wiki.wikitext = true;
        wiki.linePerParagraph = true;
        l.add(wiki);
        Source moby = Source.of("moby-dick", dir + "moby-dick.txt", "headings");
        moby.headingRegex = "^CHAPTER \\d+";
        l.add(moby);
        return l;
    }

    static Map<String, String> defaultSimilarity() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("wordsim353", "../shared/data/similarity/wordsim353.tsv");
        m.put("simlex999", "../shared/data/similarity/simlex999.txt");
        m.put("men", "../shared/data/similarity/MEN_dataset_natural_form_full.txt");
        return m;
    }

    /**
     * A size setting in bytes: a number of bytes, or a number with a {@code k}, {@code m}, {@code g} or {@code t}
     * suffix (binary units, Spark's {@code JavaUtils.byteStringAsBytes}: {@code "128m"} = 134217728).
     *
     * @param what the setting's name, for the error
     * @throws IllegalArgumentException if {@code value} is not such a size, or is not positive
     */
    public static long bytes(String what, String value) {
        long b;
        try {
            b = JavaUtils.byteStringAsBytes(value.trim().toLowerCase(java.util.Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + ": '" + value + "' is not a size (e.g. 134217728 or 128m)", e);
        }
        if (b <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, got '" + value + "'");
        }
        return b;
    }

    public static ObjectMapper yaml() {
        return new ObjectMapper(new YAMLFactory())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** Parses YAML text; an empty document gives the defaults. */
    public static PipelineConfig parse(String yamlText, String name) {
        if (yamlText.isBlank()) {
            return new PipelineConfig();
        }
        try {
            return yaml().readValue(yamlText, PipelineConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid pipeline config " + name + ": " + e.getMessage(), e);
        }
    }
}
