package dev.skein.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PayloadPoolTest {

    @Test
    void payloadsAreHalfRandomHalfZeros() {
        PayloadPool pool = PayloadPool.create(1000, 1024, 1L);

        for (int i = 0; i < pool.size(); i++) {
            byte[] payload = pool.get(i);
            assertThat(payload).hasSize(1024);
            assertThat(Arrays.copyOfRange(payload, 512, 1024)).containsOnly(0);
            long nonZero = countNonZero(Arrays.copyOfRange(payload, 0, 512));
            assertThat(nonZero).isGreaterThan(450);
        }
    }

    @Test
    void poolIsCycledAndItsPayloadsDiffer() {
        PayloadPool pool = PayloadPool.create(1000, 1024, 1L);
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            distinct.add(Arrays.toString(pool.get(i)));
        }

        assertThat(distinct).hasSize(1000);
        assertThat(pool.get(1003)).isSameAs(pool.get(3));
    }

    @Test
    void sameSeedGivesSamePayloads() {
        assertThat(PayloadPool.create(10, 64, 7L).get(5))
                .isEqualTo(PayloadPool.create(10, 64, 7L).get(5));
    }

    private static long countNonZero(byte[] bytes) {
        long n = 0;
        for (byte b : bytes) {
            if (b != 0) {
                n++;
            }
        }
        return n;
    }
}
