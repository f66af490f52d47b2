package dev.pretrain.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;

import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;

import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.Vocab;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * What a cluster does and local mode does not: broadcast values cross a JVM boundary through
 * {@code spark.serializer}. With cluster-conf's Kryo settings, the tokenize stage's broadcast
 * {@link BertTokenizer} must encode the same ids after a round trip (local mode hands tasks the
 * driver's object, so only a cluster, or this test, sees a serializer that drops state).
 */
class KryoBroadcastTest {
    static final Path DATA = Path.of(System.getProperty("shared.dir", "../shared")).resolve("data");

    @Test
    void bertTokenizerSurvivesTheClusterSerializer() throws IOException {
        Map<String, String> conf = ClusterConfTest.readSparkConf(ClusterConfTest.DIR.resolve("spark-defaults.conf"));
        SparkConf spark = new SparkConf(false)
                .set("spark.serializer", conf.get("spark.serializer"))
                .set("spark.kryo.registrator", conf.get("spark.kryo.registrator"));
        SerializerInstance kryo = new KryoSerializer(spark).newInstance();
        BertTokenizer tok = new BertTokenizer(Vocab.read(DATA.resolve("bert/bert-base-uncased-vocab.txt")), true);
        ClassTag<BertTokenizer> tag = ClassTag$.MODULE$.apply(BertTokenizer.class);
        ByteBuffer bytes = kryo.serialize(tok, tag);
        BertTokenizer copy = kryo.deserialize(bytes, tag);
        String text = "The unaffable whale-hunters didn't like Ahab's schemes.";
        assertArrayEquals(tok.encode(text), copy.encode(text));
    }

    /**
     * INDArrays (DL4J parameter averaging ships them between driver and executors) round-trip through the
     * cluster serializer: the registrator gives ND4J's serializer as the INDArray default instead of
     * registering the backend's class, so this checks values, shape, dtype and views (a row of a matrix).
     */
    @Test
    void ndArraysSurviveTheClusterSerializer() throws IOException {
        Map<String, String> conf = ClusterConfTest.readSparkConf(ClusterConfTest.DIR.resolve("spark-defaults.conf"));
        SparkConf spark = new SparkConf(false)
                .set("spark.serializer", conf.get("spark.serializer"))
                .set("spark.kryo.registrator", conf.get("spark.kryo.registrator"));
        SerializerInstance kryo = new KryoSerializer(spark).newInstance();
        ClassTag<Object> tag = ClassTag$.MODULE$.apply(Object.class);
        org.nd4j.linalg.api.ndarray.INDArray m = org.nd4j.linalg.factory.Nd4j.rand(
                org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 5);
        org.nd4j.linalg.api.ndarray.INDArray row = m.getRow(1);
        Object[] copy = (Object[]) kryo.deserialize(kryo.serialize(new Object[] {m, row,
                org.nd4j.linalg.factory.Nd4j.createFromArray(1L, 2L, 3L)}, tag), tag);
        assertEquals(m, copy[0]);
        assertEquals(org.nd4j.linalg.api.buffer.DataType.FLOAT, ((org.nd4j.linalg.api.ndarray.INDArray) copy[0]).dataType());
        assertEquals(row, copy[1]);
        assertArrayEquals(new long[] {5}, ((org.nd4j.linalg.api.ndarray.INDArray) copy[1]).shape());
        assertArrayEquals(new long[] {1, 2, 3}, ((org.nd4j.linalg.api.ndarray.INDArray) copy[2]).toLongVector());
    }
}
