package dev.keepalive.samples.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;

/**
 * A small line chart, a rate (failed, or kept on the same connection) against idle gap, one line per run, as a
 * standalone SVG file.
 */
final class SvgChart {

	private static final int WIDTH = 720;

	private static final int HEIGHT = 400;

	private static final int LEFT = 70;

	private static final int RIGHT = 30;

	private static final int TOP = 50;

	private static final int BOTTOM = 60;

	private SvgChart() {
	}

	/** One line: a label, a colour, and the rate (0..1) per gap in ms. */
	record Series(String label, String colour, SortedMap<Integer, Double> rateByGap) {
	}

	static void write(Path file, String title, String axis, List<Series> series) throws IOException {
		write(file, title, axis, "idle gap before the request (ms)", series);
	}

	static void write(Path file, String title, String axis, String xAxis, List<Series> series) throws IOException {
		int minGap = series.stream().mapToInt((s) -> s.rateByGap().firstKey()).min().orElse(0);
		int maxGap = series.stream().mapToInt((s) -> s.rateByGap().lastKey()).max().orElse(1);
		StringBuilder svg = new StringBuilder();
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
				WIDTH, HEIGHT));
		svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
		svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"28\" font-size=\"15\">%s</text>%n", LEFT, escape(title)));
		for (int percent = 0; percent <= 100; percent += 25) {
			double y = y(percent / 100.0);
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>%n",
					LEFT, y, WIDTH - RIGHT, y, LEFT - 8, y + 4, percent));
		}
		for (Integer gap : series.get(0).rateByGap().keySet()) {
			double x = x(gap, minGap, maxGap);
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">%d</text>%n",
					x, HEIGHT - BOTTOM, x, HEIGHT - BOTTOM + 5, x, HEIGHT - BOTTOM + 18, gap));
		}
		svg.append(String.format(Locale.ROOT,
				"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 15,
				escape(xAxis)));
		svg.append(String.format(Locale.ROOT,
				"<text transform=\"translate(18 %d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
				(TOP + HEIGHT - BOTTOM) / 2, escape(axis)));
		int legend = 0;
		for (Series each : series) {
			StringBuilder points = new StringBuilder();
			each.rateByGap().forEach((gap, rate) -> points
				.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(gap, minGap, maxGap), y(rate))));
			svg.append(String.format(Locale.ROOT,
					"<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", points.toString().trim(),
					each.colour()));
			each.rateByGap().forEach((gap, rate) -> svg.append(String.format(Locale.ROOT,
					"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x(gap, minGap, maxGap), y(rate), each.colour())));
			int lx = WIDTH - RIGHT - 260;
			int ly = TOP + 10 + legend * 18;
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
					lx, ly, lx + 24, ly, each.colour(), lx + 30, ly + 4, escape(each.label())));
			legend++;
		}
		svg.append("</svg>\n");
		Files.createDirectories(file.toAbsolutePath().getParent());
		Files.writeString(file, svg);
	}

	private static double x(int gap, int minGap, int maxGap) {
		double span = Math.max(1, maxGap - minGap);
		return LEFT + (gap - minGap) / span * (WIDTH - LEFT - RIGHT);
	}

	private static double y(double rate) {
		return TOP + (1 - rate) * (HEIGHT - TOP - BOTTOM);
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

}
