package dev.pretrain.model.natives;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Child-JVM main of {@link Nd4jNativesTest}: optionally {@link Nd4jNatives#select()} (argument {@code select}), then a
 * real ND4J computation (a [64, 64] x [64, 64] matmul and a softmax through libnd4j), then one line
 * {@code loaded=<folder> sum=<value>}.
 */
public final class Nd4jProbe {
    private Nd4jProbe() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("select")) {
            Nd4jNatives.select();
        }
        INDArray a = Nd4j.linspace(1, 64 * 64, 64 * 64, org.nd4j.linalg.api.buffer.DataType.FLOAT).reshape(64, 64).div(4096);
        INDArray b = a.transpose().dup();
        double matmul = a.mmul(b).sumNumber().doubleValue();
        double softmax = org.nd4j.linalg.ops.transforms.Transforms.softmax(a.dup()).sumNumber().doubleValue();
        System.out.println("loaded=" + Nd4jNatives.loaded().map(Nd4jNativeBuild::platformDir).orElse("unknown")
                + " matmul=" + matmul + " softmax=" + softmax);
    }
}
