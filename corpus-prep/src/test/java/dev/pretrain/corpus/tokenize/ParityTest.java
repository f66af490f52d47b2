package dev.pretrain.corpus.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Id-for-id parity with HF tokenizers 0.23.2 on real text and on every code point up to U+2FFFF
 * (reference digests and how they were made: src/test/resources/parity/README.md).
 */
class ParityTest {
  static final Path DATA = Path.of(System.getProperty("shared.dir", "../shared"), "data");
  static final Pattern BR = Pattern.compile("<br */?>");

  /** Every slice, both casings, both WordPiece algorithms (greedy trie walk and linear-time LinMaxMatch). */
  static Stream<Arguments> cases() {
    return Stream.of("sample_text", "moby-dick-3000", "wikitext-1000", "sst2-dev", "imdb-unsup-2000", "unicode")
        .flatMap(name -> Stream.of("uncased", "cased")
            .flatMap(casing -> Stream.of(WordPieceTokenizer.Algorithm.GREEDY, WordPieceTokenizer.Algorithm.LINEAR)
                .map(algorithm -> Arguments.of(name, casing, algorithm))));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void idsMatchHfTokenizers(String name, String casing, WordPieceTokenizer.Algorithm algorithm) throws IOException {
    check(name, casing, algorithm);
  }

  private void check(String name, String casing, WordPieceTokenizer.Algorithm algorithm) throws IOException {
    boolean uncased = casing.equals("uncased");
    Vocab vocab = Vocab.read(DATA.resolve("bert/bert-base-" + casing + "-vocab.txt"));
    BertTokenizer tok = new BertTokenizer(vocab, uncased, uncased, WordPieceTokenizer.DEFAULT_MAX_INPUT_CHARS_PER_WORD,
        algorithm);
    assertEquals(algorithm, tok.wordPieceTokenizer().algorithm());
    List<String> lines = input(name);
    List<String> expected = digests(name + "." + casing + ".crc32");
    int block = name.equals("unicode") ? 256 : 1;
    assertEquals(expected.size(), (lines.size() + block - 1) / block, "digest count for " + name);
    IntBuffer buf = new IntBuffer();
    List<String> bad = new ArrayList<>();
    StringBuilder sb = new StringBuilder();
    for (int b = 0; b < expected.size(); b++) {
      sb.setLength(0);
      for (int i = b * block; i < Math.min(lines.size(), (b + 1) * block); i++) {
        if (i > b * block) sb.append('\n');
        buf.clear();
        tok.encode(lines.get(i), buf);
        for (int k = 0; k < buf.size(); k++) {
          if (k > 0) sb.append(' ');
          sb.append(buf.get(k));
        }
      }
      CRC32 crc = new CRC32();
      crc.update(sb.toString().getBytes(StandardCharsets.US_ASCII));
      if (!String.format("%08x", crc.getValue()).equals(expected.get(b))) {
        bad.add((block == 1 ? "line " + (b + 1) + ": " + lines.get(b) + " -> " + sb
            : "block " + b + " (lines " + (b * block + 1) + ".." + Math.min(lines.size(), (b + 1) * block) + ")"));
      }
    }
    assertTrue(bad.isEmpty(), bad.size() + " of " + expected.size() + " differ from HF, first: "
        + bad.subList(0, Math.min(3, bad.size())));
  }

  private static List<String> digests(String resource) throws IOException {
    try (InputStream in = ParityTest.class.getResourceAsStream("/parity/" + resource)) {
      if (in == null) throw new IllegalStateException("missing test resource parity/" + resource);
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)).lines().toList();
    }
  }

  /** The lines as make_parity.sh feeds them to the peer (split on '\n' only; '\r' stays in the line). */
  static List<String> input(String name) throws IOException {
    switch (name) {
      case "sample_text":
        return lines(Files.readString(DATA.resolve("bert/sample_text.txt"), StandardCharsets.UTF_8), -1);
      case "moby-dick-3000":
        return lines(Files.readString(DATA.resolve("corpora/moby-dick.txt"), StandardCharsets.UTF_8), 3000);
      case "wikitext-1000":
        return lines(Files.readString(DATA.resolve("corpora/wikitext-2-raw-test.hf-crlf.raw"), StandardCharsets.UTF_8), 1000);
      case "sst2-dev": {
        List<String> all = lines(Files.readString(DATA.resolve("sst2/dev.tsv"), StandardCharsets.UTF_8), -1);
        List<String> out = new ArrayList<>();
        for (String l : all.subList(1, all.size())) out.add(l.split("\t", -1)[0]);
        return out;
      }
      case "imdb-unsup-2000": {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
            Files.newInputStream(DATA.resolve("corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz"))), StandardCharsets.UTF_8))) {
          r.readLine(); // header
          String l;
          while (out.size() < 2000 && (l = r.readLine()) != null) {
            String review = l.split("\t", 5)[4];
            out.add(BR.matcher(review).replaceAll(" "));
          }
        }
        return out;
      }
      case "unicode": {
        List<String> out = new ArrayList<>();
        for (int c = 1; c < 0x30000; c++) {
          if ((c >= 0xD800 && c <= 0xDFFF) || c == '\n') continue;
          String ch = new String(Character.toChars(c));
          out.add("x" + ch + "y " + ch + " " + ch + "z A" + ch + "\u00C9");
        }
        return out;
      }
      default:
        throw new IllegalArgumentException(name);
    }
  }

  private static List<String> lines(String text, int max) {
    if (text.endsWith("\n")) text = text.substring(0, text.length() - 1);
    List<String> all = Arrays.asList(text.split("\n", -1));
    return max < 0 || all.size() <= max ? all : all.subList(0, max);
  }
}
