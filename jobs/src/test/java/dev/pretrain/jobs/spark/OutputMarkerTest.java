package dev.pretrain.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules of {@link OutputMarker} and {@link HadoopFiles}' commits on the local file system (no Spark). */
class OutputMarkerTest {
    @TempDir
    Path tmp;
    final Configuration conf = new Configuration();

    private String folderWith(String name, String... files) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        for (String f : files) {
            Files.writeString(d.resolve(f), f);
        }
        return d.toString();
    }

    @Test
    void commitMarksTheFolderAndReplacesOnlyMarkedOrEmptyFolders() throws IOException {
        String target = tmp.resolve("out").toString();
        String t1 = HadoopFiles.temporarySibling(target, conf);
        folderWith(Path.of(t1).getFileName().toString(), "part-0");
        HadoopFiles.commit("stage-a", t1, target, conf);
        assertTrue(OutputMarker.isMarked(target, conf));
        assertTrue(Files.readString(Path.of(target, OutputMarker.FILE)).contains("\"stage\":\"stage-a\""));

        // ours: replaced as a whole
        Files.writeString(Path.of(target, "stale"), "x");
        String t2 = HadoopFiles.temporarySibling(target, conf);
        folderWith(Path.of(t2).getFileName().toString(), "part-1");
        HadoopFiles.commit("stage-a", t2, target, conf);
        assertFalse(Files.exists(Path.of(target, "stale")));
        assertTrue(Files.exists(Path.of(target, "part-1")));

        // an empty folder holds nothing to lose
        String empty = folderWith("empty");
        OutputMarker.checkReplaceable(empty, conf);

        // not ours: refused, the temporary folder removed, the folder untouched
        String theirs = folderWith("theirs", "keep.txt");
        String t3 = HadoopFiles.temporarySibling(theirs, conf);
        folderWith(Path.of(t3).getFileName().toString(), "part-0");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> HadoopFiles.commit("stage-a", t3, theirs, conf));
        assertTrue(e.getMessage().contains(theirs) && e.getMessage().contains(OutputMarker.FILE), e.getMessage());
        assertFalse(Files.exists(Path.of(t3)));
        assertEquals("keep.txt", Files.readString(Path.of(theirs, "keep.txt")));
        assertThrows(IllegalStateException.class, () -> OutputMarker.checkReplaceable(theirs, conf));

        // a file where a folder goes is not ours either
        Path file = Files.writeString(tmp.resolve("file.txt"), "mine");
        assertThrows(IllegalStateException.class, () -> OutputMarker.checkReplaceable(file.toString(), conf));

        // --overwrite replaces it
        OutputMarker.setOverwrite(conf, true);
        String t4 = HadoopFiles.temporarySibling(theirs, conf);
        folderWith(Path.of(t4).getFileName().toString(), "part-0");
        HadoopFiles.commit("stage-a", t4, theirs, conf);
        assertFalse(Files.exists(Path.of(theirs, "keep.txt")));
        assertTrue(OutputMarker.isMarked(theirs, conf));
    }

    @Test
    void claimKeepsAMarkedFolderAndRefusesAnUnrelatedOne() throws IOException {
        String out = tmp.resolve("a/b/out").toString();
        OutputMarker.claim(out, "stage-b", conf);
        Path marker = Path.of(out, OutputMarker.FILE);
        String first = Files.readString(marker);
        Files.writeString(Path.of(out, "rounds.jsonl"), "{}\n");
        OutputMarker.claim(out, "stage-b", conf);
        assertEquals(first, Files.readString(marker), "a marked folder is used as it is");
        assertTrue(Files.exists(Path.of(out, "rounds.jsonl")));

        String theirs = folderWith("theirs", "keep.txt");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OutputMarker.claim(theirs, "stage-b", conf));
        assertTrue(e.getMessage().contains(theirs), e.getMessage());
        assertFalse(OutputMarker.isMarked(theirs, conf));
        assertTrue(Files.exists(Path.of(theirs, "keep.txt")));

        OutputMarker.setOverwrite(conf, true);
        OutputMarker.claim(theirs, "stage-b", conf);
        assertFalse(Files.exists(Path.of(theirs, "keep.txt")), "--overwrite replaces it");
        assertTrue(OutputMarker.isMarked(theirs, conf));
    }

    @Test
    void filesAreNeverWrittenOverFoldersAndRootsAreNeverOutputs() throws IOException {
        String dir = folderWith("dir", "keep.txt");
        OutputMarker.setOverwrite(conf, true);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> HadoopFiles.writeString(dir, conf, "report"));
        assertTrue(e.getMessage().contains(dir) && e.getMessage().contains("folder"), e.getMessage());
        assertEquals("keep.txt", Files.readString(Path.of(dir, "keep.txt")));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of("dir"), s.map(p -> p.getFileName().toString()).toList(), "no temporary file left");
        }
        // a file over a file is fine (a report next to an output)
        Path report = Files.writeString(tmp.resolve("report.json"), "old");
        HadoopFiles.writeString(report.toString(), conf, "new");
        assertEquals("new", Files.readString(report));

        assertThrows(IllegalStateException.class, () -> OutputMarker.claim("/", "stage-c", conf));
        assertThrows(IllegalStateException.class, () -> OutputMarker.checkReplaceable("file:///", conf));
    }

    @Test
    void theMarkerIsSkippedByTheProjectsFileListing() throws IOException {
        String out = tmp.resolve("out").toString();
        OutputMarker.claim(out, "stage-d", conf);
        Files.writeString(Path.of(out, "part-0.txt"), "data");
        FileSystem fs = HadoopFiles.fs(HadoopFiles.path(out, conf), conf);
        List<FileStatus> files = new ArrayList<>();
        HadoopFiles.collectFiles(fs, fs.getFileStatus(HadoopFiles.path(out, conf)), files);
        assertEquals(List.of("part-0.txt"), files.stream().map(f -> f.getPath().getName()).toList());
        assertEquals(List.of(HadoopFiles.path(out + "/part-0.txt", conf).toString()), HadoopFiles.expand(out, conf));
    }
}
