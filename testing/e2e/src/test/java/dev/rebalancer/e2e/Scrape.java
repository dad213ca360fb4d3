package dev.rebalancer.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A service's {@code /q/metrics} in Prometheus's text format, as Prometheus reads it: one sample a line. */
record Scrape(List<String> samples) {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Scrapes the management interface, as a Prometheus with no credentials would. */
    static Scrape of(URI management) {
        HttpRequest request = HttpRequest.newBuilder(management.resolve("/q/metrics")).timeout(Duration.ofSeconds(5))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(request.uri() + " answered " + response.statusCode());
            }
            List<String> samples = new ArrayList<>();
            response.body().lines().filter(line -> !line.isBlank() && !line.startsWith("#")).forEach(samples::add);
            return new Scrape(samples);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The sum of the samples of {@code name} whose labels include every one of {@code labels} (written as Prometheus
     * writes them, e.g. {@code side="buy"}); NaN when there is no such sample.
     */
    double sum(String name, String... labels) {
        double sum = Double.NaN;
        for (String sample : samples) {
            int end = sample.lastIndexOf(' ');
            String series = sample.substring(0, end);
            String metric = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
            if (metric.equals(name) && Arrays.stream(labels).allMatch(series::contains)) {
                double value = Double.parseDouble(sample.substring(end + 1));
                sum = Double.isNaN(sum) ? value : sum + value;
            }
        }
        return sum;
    }
}
