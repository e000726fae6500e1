package io.github.wshub.benchmarks;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for the parsers of {@code /proc}, {@code jcmd}, Redis and Prometheus output.
 *
 * @author wshub
 */
class ProcAndRedisParsingTests {

	@Test
	void statLineGivesUserPlusSystemTicksEvenWithAnAwkwardCommandName() {
		String stat = "12345 (java (main) x) S 1 12345 12345 0 -1 4194304 52837 0 13 0 1500 250 0 0 20 0 42 0 "
				+ "6226 9000000000 60000 18446744073709551615 1 1 0 0 0 0 0 4096 17102 0 0 0 17 1 0 0 0 0 0";
		assertThat(ProcStats.cpuTicks(stat)).isEqualTo(1750);
		assertThat(ProcStats.ticksToNanos(1750, 100)).isEqualTo(17_500_000_000L);
	}

	@Test
	void ownStatAndStatusAreReadable() {
		long pid = ProcessHandle.current().pid();
		assertThat(ProcStats.cpuNanos(pid)).isPositive();
		assertThat(ProcStats.rssBytes(pid)).isPositive();
		assertThat(ProcStats.threads(pid)).isPositive();
	}

	@Test
	void statusGivesResidentBytes() {
		String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t  234400 kB\nThreads:\t42\n";
		assertThat(ProcStats.rssBytes(status)).isEqualTo(234400L * 1024);
	}

	@Test
	void heapInfoGivesUsedBytes() {
		String heapInfo = "12345:\n garbage-first heap   total 262144K, used 23456K [0x00000000c0000000, 0x0000000100000000)\n"
				+ "  region size 1024K, 3 young (3072K), 0 survivors (0K)\n";
		assertThat(JvmProbe.parseHeapUsed(heapInfo)).isEqualTo(23456L * 1024);
		assertThatIllegalArgumentException().isThrownBy(() -> JvmProbe.parseHeapUsed("nothing"));
	}

	@Test
	void commandStatsGiveCallsPerCommand() {
		String info = "# Commandstats\r\ncmdstat_subscribe:calls=12,usec=34,usec_per_call=2.83,rejected_calls=0,failed_calls=0\r\n"
				+ "cmdstat_unsubscribe:calls=5,usec=10,usec_per_call=2.00,rejected_calls=0,failed_calls=0\r\n";
		Map<String, Long> calls = RespClient.parseCommandCalls(info);
		assertThat(calls).containsEntry("subscribe", 12L).containsEntry("unsubscribe", 5L);
	}

	@Test
	void prometheusHubSeriesAreSummedAcrossLabels() {
		String page = "# HELP x\nhub_sessions_closed_total{code=\"4002\"} 3.0\nhub_sessions_closed_total{code=\"1000\"} 2.0\n"
				+ "jvm_threads 10\nhub_subscribe_latency_seconds_count 7\n";
		Map<String, Double> values = ServerMetrics.parse(page);
		assertThat(ServerMetrics.sum(values, "hub_sessions_closed_total")).isEqualTo(5.0);
		assertThat(ServerMetrics.sum(values, "hub_subscribe_latency_seconds_count")).isEqualTo(7.0);
		assertThat(values).doesNotContainKey("jvm_threads");
	}

}
