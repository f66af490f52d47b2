package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.SparkSessions;
import dev.pretrain.jobs.stages.FineTuneStage;

/** The finetune stage on real SST-2 and IMDB files, with a small BERT saved as train-bert writes it. */
class FineTuneStageTest {
    @TempDir Path tmp;

    @Test
    void readsTheTasksFilesAsTheyAre() throws IOException {
        SparkSession spark = SparkSessions.getOrCreate("test", "local[2]");
        Path dev = SharedData.DATA.resolve("sst2/dev.tsv");
        List<String> lines = Files.readAllLines(dev);
        List<FineTuneStage.Labelled> rows = FineTuneStage.read(spark, "sst2", dev.toString(), null);
        assertEquals(lines.size() - 1, rows.size(), "one row per line after the header");
        String[] first = lines.get(1).split("\t");
        assertEquals(first[0], rows.get(0).text());
        assertEquals(Integer.parseInt(first[1].strip()), rows.get(0).label());
        Path imdb = SharedData.corpus("imdb-aclImdb-v1-labeled-50k.tsv.gz");
        List<FineTuneStage.Labelled> test = FineTuneStage.read(spark, "imdb", imdb.toString(), "test");
        assertEquals(25000, test.size(), "aclImdb test split");
        assertEquals(12500, test.stream().filter(r -> r.label() == 1).count(), "balanced pos/neg");
        assertTrue(test.stream().noneMatch(r -> r.text().contains("<br")), "HTML line breaks replaced");
        Path bad = Files.writeString(tmp.resolve("bad.tsv"), "sentence\tlabel\nfine\t1\nodd\tmaybe\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FineTuneStage.read(spark, "sst2", bad.toString(), null));
        assertTrue(e.getMessage().contains("bad.tsv") && e.getMessage().contains("maybe"), e.getMessage());
    }

    @Test
    void fineTunesPretrainedAndRandomInitWithTheSameBudget() throws IOException {
        Path bert = TinyBertFixture.write(tmp.resolve("bert"));
        SparkSession spark = SparkSessions.getOrCreate("test", "local[2]");
        Path sst2 = SharedData.DATA.resolve("sst2");
        StageReport r = FineTuneStage.run(spark, new FineTuneStage.Options(bert.toString(), "sst2",
                sst2.resolve("train.tsv").toString(), sst2.resolve("dev.tsv").toString(), 64, 50, 32, 16, 1, 1e-4, 7,
                true, true));
        assertEquals(64, r.get("train_examples"));
        assertEquals(50, r.get("eval_examples"));
        assertEquals(4, r.get("steps"));
        for (String k : new String[] {"accuracy_pretrained", "accuracy_random_init", "majority_class_accuracy"}) {
            double a = (Double) r.get(k);
            assertTrue(a >= 0 && a <= 1, k + " = " + a);
        }
        double gain = (Double) r.get("accuracy_gain");
        assertEquals(Math.round(((Double) r.get("accuracy_pretrained") - (Double) r.get("accuracy_random_init")) * 10000)
                / 100.0, gain, 1e-9);
    }
}
