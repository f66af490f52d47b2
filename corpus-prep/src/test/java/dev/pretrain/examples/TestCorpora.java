package dev.pretrain.examples;

import dev.pretrain.corpus.ingest.Document;
import dev.pretrain.corpus.ingest.DocumentProcessor;
import dev.pretrain.corpus.ingest.DocumentSplitter;
import dev.pretrain.corpus.ingest.IngestOutcome;
import dev.pretrain.corpus.ingest.SentenceSegmenter;
import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.corpus.ingest.TextFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test-only access to the real corpora under {@code shared.dir} and a trivial word tokenizer. */
public final class TestCorpora {
  private static final Pattern WORD = Pattern.compile("\\p{L}+(?:['’]\\p{L}+)*|\\p{N}+|[^\\s\\p{L}\\p{N}]");
  private static List<Document> mobyDick;

  private TestCorpora() {
  }

  public static Path shared(String relative) {
    Path p = Path.of(System.getProperty("shared.dir", "../../shared")).resolve("data").resolve(relative);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("missing shared test data " + p.toAbsolutePath()
          + " (set -Dshared.dir to the folder holding data/)");
    }
    return p;
  }

  /** Raw documents of a file split by {@code spec}. */
  public static List<String> rawDocuments(SourceSpec spec, Path file) {
    List<String> docs = new ArrayList<>();
    try (BufferedReader r = TextFiles.reader(file)) {
      Iterator<String> it = new DocumentSplitter(spec).split(TextFiles.lines(r));
      it.forEachRemaining(docs::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  /** Moby-Dick, one cleaned and sentence-split document per chapter (cached). */
  public static synchronized List<Document> mobyDickChapters() {
    if (mobyDick == null) {
      SourceSpec spec = SourceSpec.gutenbergChapters("moby", "moby-dick.txt");
      DocumentProcessor proc = new DocumentProcessor(spec.cleaner(), new SentenceSegmenter("en"), 1, 1);
      List<Document> docs = new ArrayList<>();
      for (String raw : rawDocuments(spec, shared("corpora/moby-dick.txt"))) {
        IngestOutcome o = proc.process("moby", raw);
        if (o.kept()) {
          docs.add(o.document());
        }
      }
      mobyDick = List.copyOf(docs);
    }
    return mobyDick;
  }

  /** Lower-cased words, numbers and single punctuation marks. */
  public static List<String> words(String sentence) {
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(sentence.toLowerCase(Locale.ROOT));
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }
}
