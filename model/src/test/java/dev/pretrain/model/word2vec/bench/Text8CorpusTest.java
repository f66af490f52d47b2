package dev.pretrain.model.word2vec.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class Text8CorpusTest {
    @TempDir
    Path dir;

    @Test
    void readsLinesAsSentencesWithMinCountVocabulary() throws IOException {
        Path f = dir.resolve("c.txt");
        Files.writeString(f, "the cat sat on the mat\n\nthe dog  sat\tthere\r\nrare the cat\n");
        Text8Corpus c = Text8Corpus.read(f, 2);
        // counts: the 4, cat 2, sat 2 (cat first seen before sat: gensim's tie order); others once
        assertEquals(List.of("the", "cat", "sat"), c.words());
        assertArrayEquals(new long[] {4, 2, 2}, c.counts());
        assertEquals(13, c.rawTokens());
        assertEquals(8, c.inVocabWords());
        assertEquals(3, c.sentences().size());
        assertArrayEquals(new int[] {0, 1, 2, 0}, c.sentences().get(0));
        assertArrayEquals(new int[] {0, 2}, c.sentences().get(1));
        assertArrayEquals(new int[] {0, 1}, c.sentences().get(2));
    }

    @Test
    void splitsLongLinesLikeLineSentence() throws IOException {
        Path f = dir.resolve("long.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 25_000; i++) sb.append(i % 2 == 0 ? "a " : "b ");
        Files.writeString(f, sb.toString()); // no final newline
        Text8Corpus c = Text8Corpus.read(f, 1);
        assertEquals(3, c.sentences().size());
        assertEquals(10_000, c.sentences().get(0).length);
        assertEquals(5_000, c.sentences().get(2).length);
    }

    @Test
    void rejectsCorpusWithoutFrequentWords() throws IOException {
        Path f = dir.resolve("few.txt");
        Files.writeString(f, "a b c\n");
        IOException e = assertThrows(IOException.class, () -> Text8Corpus.read(f, 5));
        assertTrue(e.getMessage().contains("min_count 5"), e.getMessage());
    }
}
