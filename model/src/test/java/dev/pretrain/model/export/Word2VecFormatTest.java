package dev.pretrain.model.export;

import dev.pretrain.model.eval.InMemoryWordEmbeddings;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class Word2VecFormatTest {
    private static InMemoryWordEmbeddings emb() {
        return new InMemoryWordEmbeddings(List.of("the", "café", "x"),
                new float[] {0.1f, -2.5e-7f, 3f, Float.MIN_VALUE, -0f, 123456.78f, 1f / 3, -1f, 0f}, 3);
    }

    @Test
    void textRoundTripIsExact() throws IOException {
        StringWriter sw = new StringWriter();
        Word2VecFormat.writeText(emb(), sw);
        String s = sw.toString();
        assertTrue(s.startsWith("3 3\nthe 0.1 "), s);
        assertEquals(4, s.split("\n").length);
        InMemoryWordEmbeddings back = Word2VecFormat.readText(new StringReader(s));
        assertEquals(emb().words(), back.words());
        assertArrayEquals(emb().matrix(), back.matrix());
        // word2vec C writes a trailing space after each value; accept it
        InMemoryWordEmbeddings c = Word2VecFormat.readText(new StringReader("2 2\na 1.000000 2.000000 \nb 3 4 \n"));
        assertArrayEquals(new float[] {1, 2, 3, 4}, c.matrix());
    }

    @Test
    void binaryLayoutAndRoundTrip() throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        Word2VecFormat.writeBinary(emb(), bo);
        byte[] b = bo.toByteArray();
        byte[] header = "3 3\n".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(header, Arrays.copyOf(b, header.length));
        // first record: "the" ' ' 3 x float32 LE '\n'
        int o = header.length;
        assertEquals("the ", new String(b, o, 4, StandardCharsets.US_ASCII));
        assertEquals(0.1f, ByteBuffer.wrap(b, o + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
        assertEquals('\n', b[o + 4 + 12]);
        int expectedLen = header.length + (4 + 13) + ("café".getBytes(StandardCharsets.UTF_8).length + 1 + 13) + (2 + 13);
        assertEquals(expectedLen, b.length);
        InMemoryWordEmbeddings back = Word2VecFormat.readBinary(new ByteArrayInputStream(b));
        assertEquals(emb().words(), back.words());
        assertArrayEquals(emb().matrix(), back.matrix());
    }

    @Test
    void errors() {
        assertThrows(IllegalArgumentException.class, () -> Word2VecFormat.writeText(
                new InMemoryWordEmbeddings(List.of("a b"), new float[] {1}, 1), new StringWriter()));
        IOException e = assertThrows(IOException.class, () -> Word2VecFormat.readText(new StringReader("2 2\na 1 2\n")));
        assertTrue(e.getMessage().contains("expected 2 vectors"), e.getMessage());
        e = assertThrows(IOException.class, () -> Word2VecFormat.readText(new StringReader("2 2\na 1 2 3\nb 1 2\n")));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(IOException.class, () -> Word2VecFormat.readText(new StringReader("x y\n")));
        assertThrows(IOException.class, () -> Word2VecFormat.readBinary(new ByteArrayInputStream("1 4\nab \0\0".getBytes())));
        assertThrows(IOException.class, () -> Word2VecFormat.readBinary(new ByteArrayInputStream(new byte[0])));
    }
}
