package dev.pretrain.model.bert;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers a Kryo serializer for {@link BertExample}: Spark's Kryo (4.x) cannot build its default
 * FieldSerializer for Java records ("Unable to create serializer ... for class BertExample").
 * Use it next to ND4J's registrator: {@code spark.kryo.registrator=org.nd4j.kryo.Nd4jRegistrator,dev.pretrain.model.bert.BertKryoRegistrator}
 * (Spark accepts a comma-separated list), or call {@link #registerBertClasses(Kryo)} from your own registrator.
 */
public class BertKryoRegistrator implements KryoRegistrator {
    /** The Spark property value that registers ND4J's and BERT's classes. */
    public static final String REGISTRATORS = "org.nd4j.kryo.Nd4jRegistrator," + BertKryoRegistrator.class.getName();

    @Override
    public void registerClasses(Kryo kryo) {
        registerBertClasses(kryo);
    }

    public static void registerBertClasses(Kryo kryo) {
        kryo.register(BertExample.class, new ExampleSerializer());
    }

    /** Writes the seven fields in record order; int arrays length-prefixed. */
    static final class ExampleSerializer extends Serializer<BertExample> {
        @Override
        public void write(Kryo kryo, Output out, BertExample e) {
            writeInts(out, e.inputIds());
            writeInts(out, e.inputMask());
            writeInts(out, e.segmentIds());
            writeInts(out, e.maskedLmPositions());
            writeInts(out, e.maskedLmIds());
            out.writeInt(e.maskedLmWeights().length, true);
            out.writeFloats(e.maskedLmWeights());
            out.writeInt(e.nextSentenceLabel(), true);
        }

        @Override
        public BertExample read(Kryo kryo, Input in, Class<BertExample> type) {
            int[] ids = readInts(in);
            int[] mask = readInts(in);
            int[] seg = readInts(in);
            int[] pos = readInts(in);
            int[] mids = readInts(in);
            float[] w = in.readFloats(in.readInt(true));
            return new BertExample(ids, mask, seg, pos, mids, w, in.readInt(true));
        }

        private static void writeInts(Output out, int[] a) {
            out.writeInt(a.length, true);
            out.writeInts(a, true);
        }

        private static int[] readInts(Input in) {
            return in.readInts(in.readInt(true), true);
        }
    }
}
