package io.github.wshub.benchmarks;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Tests for {@link Latency} and {@link SvgPlot}.
 *
 * @author wshub
 */
class LatencyAndPlotTests {

	@Test
	void percentilesOfMicrosecondsInMilliseconds() {
		Histogram histogram = Latency.newHistogram();
		for (int i = 1; i <= 1000; i++) {
			Latency.record(histogram, i * 10L); // 10 us .. 10 ms
		}
		Latency latency = Latency.of(histogram);
		assertThat(latency.count()).isEqualTo(1000);
		assertThat(latency.p50()).isCloseTo(5.0, within(0.01));
		assertThat(latency.p90()).isCloseTo(9.0, within(0.01));
		assertThat(latency.p99()).isCloseTo(9.9, within(0.01));
		assertThat(latency.p999()).isCloseTo(9.99, within(0.01));
		assertThat(latency.max()).isCloseTo(10.0, within(0.01));
	}

	@Test
	void outOfRangeValuesAreClampedAndEmptyHistogramsAreZero() {
		Histogram histogram = Latency.newHistogram();
		Latency.record(histogram, -5);
		Latency.record(histogram, Long.MAX_VALUE);
		assertThat(Latency.of(histogram).max()).isCloseTo(60_000, within(60.0));
		assertThat(Latency.of(Latency.newHistogram()).p99()).isZero();
	}

	@Test
	void plotIsWellFormedSvg() throws Exception {
		String svg = SvgPlot.render("ramp <2 instances> & \"quotes\"",
				List.of(new SvgPlot.Point(500, 3.2, 10_000, true), new SvgPlot.Point(1000, 4.1, 20_000, true),
						new SvgPlot.Point(2000, 400, 25_000, false)),
				250);
		Document document = parse(svg);
		assertThat(document.getDocumentElement().getNodeName()).isEqualTo("svg");
		assertThat(document.getElementsByTagName("polyline").getLength()).isEqualTo(2);
		assertThat(document.getElementsByTagName("circle").getLength()).isEqualTo(3);
	}

	@Test
	void plotWithOneOrNoPointIsStillWellFormed() throws Exception {
		parse(SvgPlot.render("one", List.of(new SvgPlot.Point(500, 1, 10, true)), 250));
		parse(SvgPlot.render("none", List.of(), 250));
	}

	private static Document parse(String svg) throws Exception {
		DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
		factory.setNamespaceAware(true);
		return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
	}

}
