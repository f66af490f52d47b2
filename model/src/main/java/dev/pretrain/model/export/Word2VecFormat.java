package dev.pretrain.model.export;

import dev.pretrain.model.eval.InMemoryWordEmbeddings;
import dev.pretrain.model.eval.WordEmbeddings;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The word2vec vector file formats read by word2vec C ({@code distance}, {@code compute-accuracy}) and gensim
 * {@code KeyedVectors.load_word2vec_format(path, binary=...)}. Words are UTF-8 and may not contain whitespace.
 * <ul>
 *   <li>text: header {@code "V dim\n"}, then per word {@code "word v1 v2 ... vdim\n"} (floats as
 *       {@link Float#toString}, which round-trips float32 exactly);</li>
 *   <li>binary: header {@code "V dim\n"} (ASCII), then per word the UTF-8 word, a space, {@code dim} float32
 *       little-endian, and {@code '\n'}.</li>
 * </ul>
 * Writers do not close the stream; they flush it.
 */
public final class Word2VecFormat {
    private Word2VecFormat() {}

    private static void checkWord(String w, int i) {
        if (w.isEmpty()) throw new IllegalArgumentException("word " + i + " is empty; word2vec format cannot store it");
        for (int k = 0; k < w.length(); k++) {
            if (Character.isWhitespace(w.charAt(k))) {
                throw new IllegalArgumentException("word " + i + " '" + w + "' contains whitespace; word2vec format cannot store it");
            }
        }
    }

    /** @throws IllegalArgumentException if a word is empty or contains whitespace */
    public static void writeText(WordEmbeddings emb, Writer out) throws IOException {
        Writer w = out instanceof BufferedWriter ? out : new BufferedWriter(out, 1 << 16);
        int dim = emb.dim();
        w.write(emb.size() + " " + dim + "\n");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < emb.size(); i++) {
            String word = emb.word(i);
            checkWord(word, i);
            float[] v = emb.vector(i);
            sb.setLength(0);
            sb.append(word);
            for (int k = 0; k < dim; k++) sb.append(' ').append(v[k]);
            sb.append('\n');
            w.write(sb.toString());
        }
        w.flush();
    }

    /** @throws IllegalArgumentException if a word is empty or contains whitespace */
    public static void writeBinary(WordEmbeddings emb, OutputStream out) throws IOException {
        int dim = emb.dim();
        out.write((emb.size() + " " + dim + "\n").getBytes(StandardCharsets.US_ASCII));
        ByteBuffer buf = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        java.io.BufferedOutputStream bo = new java.io.BufferedOutputStream(out, 1 << 16);
        for (int i = 0; i < emb.size(); i++) {
            String word = emb.word(i);
            checkWord(word, i);
            bo.write(word.getBytes(StandardCharsets.UTF_8));
            bo.write(' ');
            buf.clear();
            buf.asFloatBuffer().put(emb.vector(i));
            bo.write(buf.array(), 0, dim * 4);
            bo.write('\n');
        }
        bo.flush();
    }

    private static int[] parseHeader(String line) throws IOException {
        if (line == null) throw new IOException("word2vec file is empty: missing 'V dim' header");
        String[] p = line.strip().split("\\s+");
        if (p.length != 2) throw new IOException("word2vec header must be 'V dim', got '" + line.strip() + "'");
        try {
            int v = Integer.parseInt(p[0]);
            int d = Integer.parseInt(p[1]);
            if (v < 0 || d <= 0) throw new IOException("word2vec header has bad sizes: '" + line.strip() + "'");
            if ((long) v * d > Integer.MAX_VALUE - 8) throw new IOException("word2vec header sizes too large: " + line.strip());
            return new int[] {v, d};
        } catch (NumberFormatException e) {
            throw new IOException("word2vec header must be two integers 'V dim', got '" + line.strip() + "'", e);
        }
    }

    /** @throws IOException on a bad header, a line with the wrong number of values, a bad number, or fewer rows than V */
    public static InMemoryWordEmbeddings readText(Reader in) throws IOException {
        BufferedReader br = in instanceof BufferedReader b ? b : new BufferedReader(in, 1 << 16);
        int[] h = parseHeader(br.readLine());
        int v = h[0], dim = h[1];
        List<String> words = new ArrayList<>(v);
        float[] vec = new float[v * dim];
        for (int i = 0; i < v; i++) {
            String line = br.readLine();
            if (line == null) throw new IOException("word2vec text: expected " + v + " vectors, file ends after " + i);
            String[] p = line.strip().split(" +");
            if (p.length != dim + 1) {
                throw new IOException("word2vec text line " + (i + 2) + ": expected word + " + dim + " values, got "
                        + (p.length - 1) + " values");
            }
            words.add(p[0]);
            for (int k = 0; k < dim; k++) {
                try {
                    vec[i * dim + k] = Float.parseFloat(p[k + 1]);
                } catch (NumberFormatException e) {
                    throw new IOException("word2vec text line " + (i + 2) + ": bad number '" + p[k + 1] + "'", e);
                }
            }
        }
        return new InMemoryWordEmbeddings(words, vec, dim);
    }

    /** @throws IOException on a bad header or a truncated file */
    public static InMemoryWordEmbeddings readBinary(InputStream in) throws IOException {
        InputStream bi = in instanceof java.io.BufferedInputStream ? in : new java.io.BufferedInputStream(in, 1 << 16);
        ByteArrayOutputStream tok = new ByteArrayOutputStream();
        int c;
        while ((c = bi.read()) != -1 && c != '\n') tok.write(c);
        if (c == -1 && tok.size() == 0) throw new IOException("word2vec binary file is empty: missing 'V dim' header");
        int[] h = parseHeader(tok.toString(StandardCharsets.US_ASCII));
        int v = h[0], dim = h[1];
        List<String> words = new ArrayList<>(v);
        float[] vec = new float[v * dim];
        byte[] raw = new byte[dim * 4];
        ByteBuffer bb = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < v; i++) {
            tok.reset();
            while (true) {
                c = bi.read();
                if (c == -1) throw new EOFException("word2vec binary: expected " + v + " vectors, file ends in word " + i);
                if (c == ' ') {
                    if (tok.size() > 0) break;
                    continue;
                }
                if (c == '\n' && tok.size() == 0) continue; // separator after the previous vector
                tok.write(c);
            }
            words.add(tok.toString(StandardCharsets.UTF_8));
            int off = 0;
            while (off < raw.length) {
                int r = bi.read(raw, off, raw.length - off);
                if (r < 0) throw new EOFException("word2vec binary: file ends inside vector " + i + " ('" + words.get(i) + "')");
                off += r;
            }
            bb.rewind();
            bb.asFloatBuffer().get(vec, i * dim, dim);
        }
        return new InMemoryWordEmbeddings(words, vec, dim);
    }
}
