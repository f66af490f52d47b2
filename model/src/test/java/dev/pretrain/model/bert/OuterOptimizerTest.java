package dev.pretrain.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link OuterOptimizer}: DiLoCo's Nesterov step and BMUF's block momentum over two rounds, checked by hand. */
class OuterOptimizerTest {

    private static INDArray v(float... x) {
        return Nd4j.createFromArray(x);
    }

    @Test
    void nesterovFollowsPyTorchSgdOverTwoRounds() {
        OuterOptimizer o = new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 0.5, 0.9);
        INDArray m = v(0f, 0f);
        // round 1: theta (1, 2), workers' mean (0, 4): g = (1, -2); m = g; theta -= 0.5 (g + 0.9 g) = 0.95 g
        INDArray theta = v(1f, 2f);
        INDArray mean = v(0f, 4f);
        o.step(theta, mean, m);
        assertArrayEquals(new float[] {1f, -2f}, m.toFloatVector(), 1e-6f);
        assertArrayEquals(new float[] {1f - 0.95f, 2f + 1.9f}, mean.toFloatVector(), 1e-6f);
        // round 2 from there: mean (0, 3.9): g = (0.05, 0); m = 0.9 (1, -2) + g = (0.95, -1.8);
        // theta -= 0.5 (g + 0.9 m) = 0.5 (0.905, -1.62)
        INDArray theta2 = mean.dup();
        INDArray mean2 = v(0f, 3.9f);
        o.step(theta2, mean2, m);
        assertArrayEquals(new float[] {0.95f, -1.8f}, m.toFloatVector(), 1e-6f);
        assertArrayEquals(new float[] {0.05f - 0.4525f, 3.9f + 0.81f}, mean2.toFloatVector(), 1e-5f);
    }

    @Test
    void blockMomentumIsHeavyBall() {
        OuterOptimizer o = new OuterOptimizer(OuterOptimizer.Kind.BLOCK_MOMENTUM, 2, 0.5);
        INDArray m = v(0f);
        INDArray mean = v(1.5f);          // theta 1: g = -0.5, m = -0.5, theta = 1 + 2 * 0.5 = 2
        o.step(v(1f), mean, m);
        assertEquals(2f, mean.getFloat(0), 1e-6f);
        INDArray mean2 = v(2.25f);        // g = -0.25, m = -0.25 - 0.25 = -0.5, theta = 2 + 1 = 3
        o.step(v(2f), mean2, m);
        assertEquals(3f, mean2.getFloat(0), 1e-6f);
        assertEquals(-0.5f, m.getFloat(0), 1e-6f);
    }

    @Test
    void averagingKeepsTheMeanAndSettingsAreChecked() {
        INDArray mean = v(3f, 4f);
        OuterOptimizer.average().step(v(1f, 1f), mean, null);
        assertArrayEquals(new float[] {3f, 4f}, mean.toFloatVector());
        // Nesterov with learning rate 1 and no momentum is plain averaging
        INDArray mean2 = v(3f, 4f);
        new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 1, 0).step(v(1f, 1f), mean2, v(0f, 0f));
        assertArrayEquals(new float[] {3f, 4f}, mean2.toFloatVector(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 0.7, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new OuterOptimizer(OuterOptimizer.Kind.AVERAGE, 0.7, 0));
        assertThrows(IllegalArgumentException.class, () -> OuterOptimizer.diloco().step(v(1f), v(1f), null));
        assertEquals(OuterOptimizer.Kind.BLOCK_MOMENTUM, OuterOptimizer.Kind.parse("block-momentum"));
        assertThrows(IllegalArgumentException.class, () -> OuterOptimizer.Kind.parse("adam"));
        assertEquals("nesterov(lr=0.7,momentum=0.9)", OuterOptimizer.diloco().toString());
        // CLI / YAML values: unset rate and momentum take DiLoCo's; average refuses them
        assertEquals(OuterOptimizer.diloco(), OuterOptimizer.of("nesterov", null, null));
        assertEquals(new OuterOptimizer(OuterOptimizer.Kind.BLOCK_MOMENTUM, 2, 0.5),
                OuterOptimizer.of("block-momentum", 2.0, 0.5));
        assertEquals(OuterOptimizer.average(), OuterOptimizer.of(null, null, null));
        assertThrows(IllegalArgumentException.class, () -> OuterOptimizer.of("average", 0.7, null));
    }
}
