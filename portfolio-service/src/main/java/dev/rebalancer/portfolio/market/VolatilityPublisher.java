package dev.rebalancer.portfolio.market;

import dev.rebalancer.rules.market.RealizedVolatility;
import dev.rebalancer.rules.market.VixHistory;
import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.model.Bar;
import dev.rebalancer.alpaca.model.CalendarDay;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.VolatilityFilter;
import dev.rebalancer.contracts.VolatilityReading;
import dev.rebalancer.portfolio.alpaca.AlpacaAccounts;
import dev.rebalancer.portfolio.book.PortfolioBook;
import dev.rebalancer.portfolio.config.PortfolioConfig;
import dev.rebalancer.portfolio.messaging.Instances;
import dev.rebalancer.portfolio.messaging.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The market's volatility, for the portfolios whose volatility filter goes by it: the VIX close from Cboe's daily
 * history file ({@code rebalancer.volatility.vix-url}, {@code VIX_HISTORY_URL}) and SPY's 20-day realised volatility
 * from Alpaca's daily bars, each read only while some portfolio names its source, at start and every
 * {@code rebalancer.volatility.refresh-interval} (1h), by the leading instance. A new reading is published on the
 * compacted {@link Topics#VOLATILITY} through the outbox. A source that cannot be read is an alert once a day: until it
 * is read again, its last reading counts for {@link VolatilityFilter#MAX_AGE_DAYS} days and then defers nothing.
 */
@ApplicationScoped
public class VolatilityPublisher {

    private static final Logger LOG = Logger.getLogger(VolatilityPublisher.class);
    /** Calendar days of bars asked for: 21 trading days and then some, holidays included. */
    static final int BAR_DAYS = 45;
    static final String SPY = "SPY";

    private final AlpacaAccounts accounts;
    private final Outbox outbox;
    private final Instances instances;
    private final PortfolioBook portfolios;
    private final PortfolioConfig.Volatility config;
    private final HttpClient http;
    private final Map<VolatilityFilter.Source, VolatilityReading> published = new ConcurrentHashMap<>();
    private final Map<VolatilityFilter.Source, LocalDate> toldUnreadable = new ConcurrentHashMap<>();

    VolatilityPublisher(AlpacaAccounts accounts, Outbox outbox, Instances instances, PortfolioBook portfolios,
            PortfolioConfig config) {
        this.accounts = accounts;
        this.outbox = outbox;
        this.instances = instances;
        this.portfolios = portfolios;
        this.config = config.volatility();
        this.http = HttpClient.newBuilder().connectTimeout(this.config.timeout())
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    @Scheduled(every = "${rebalancer.volatility.refresh-interval:1h}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "volatility-publisher")
    void scheduled() {
        if (instances.leader()) {
            refresh();
        }
    }

    /** Reads each source some portfolio goes by and publishes what is new; returns the readings read. */
    public synchronized List<VolatilityReading> refresh() {
        List<VolatilityReading> read = new ArrayList<>();
        for (VolatilityFilter.Source source : portfolios.volatilitySources()) {
            try {
                VolatilityReading reading = read(source);
                read.add(reading);
                toldUnreadable.remove(source);
                VolatilityReading before = published.get(source);
                if (before == null || !before.asOf().equals(reading.asOf())
                        || before.value().compareTo(reading.value()) != 0) {
                    QuarkusTransaction.requiringNew().run(() -> outbox.publish(Topics.VOLATILITY, source.key(),
                            reading));
                    published.put(source, reading);
                    LOG.infof("volatility reading published: %s", reading.describe());
                }
            } catch (AlpacaException | IOException | IllegalArgumentException | IllegalStateException e) {
                unreadable(source, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return read;
            }
        }
        return read;
    }

    private VolatilityReading read(VolatilityFilter.Source source) throws IOException, InterruptedException {
        Instant now = Instant.now();
        return switch (source) {
            case VIX -> {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(config.vixUrl())
                        .timeout(config.timeout()).header("Accept", "text/csv").GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IOException("HTTP " + response.statusCode() + " from " + config.vixUrl());
                }
                yield VixHistory.latest(response.body(), config.vixUrl().toString(), now);
            }
            case SPY_REALIZED_VOL -> {
                AlpacaClient client = accounts.anyClient().orElseThrow(() -> new IllegalStateException(
                        "no Alpaca account is configured to read SPY's bars with"));
                LocalDate today = LocalDate.now(CalendarDay.NEW_YORK);
                List<Bar> bars = client.background().dailyBars(SPY, today.minusDays(BAR_DAYS), today);
                java.math.BigDecimal value = RealizedVolatility.of(bars.stream().map(Bar::close).toList()).orElseThrow(() -> new IllegalStateException(
                        "Alpaca gave " + bars.size() + " daily bars of SPY from " + today.minusDays(BAR_DAYS)
                                + "; " + (RealizedVolatility.DAYS + 1) + " are needed"));
                yield new VolatilityReading(UUID.randomUUID().toString(), now, source, value,
                        bars.get(bars.size() - 1).day(), "Alpaca daily bars of SPY, " + RealizedVolatility.DAYS
                                + " returns");
            }
        };
    }

    private void unreadable(VolatilityFilter.Source source, Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        LOG.warnf("volatility reading %s not read (the one published before stays): %s", source.key(), why);
        LocalDate today = LocalDate.now(CalendarDay.NEW_YORK);
        if (today.equals(toldUnreadable.put(source, today))) {
            return;
        }
        try {
            QuarkusTransaction.requiringNew().run(() -> outbox.alert(Severity.WARNING, null,
                    "Volatility reading unavailable: " + source.label(), source.label() + " could not be read: " + why
                            + ". Portfolios with the volatility filter go by the last reading for up to "
                            + VolatilityFilter.MAX_AGE_DAYS + " days, then rebalance as if volatility were normal."));
        } catch (RuntimeException alertFailed) {
            toldUnreadable.remove(source);
            LOG.warnf("the alert of an unreadable volatility reading was not written: %s", alertFailed.getMessage());
        }
    }
}
