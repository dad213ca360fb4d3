package dev.rebalancer.portfolio.alpaca;

import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.model.CalendarDay;
import dev.rebalancer.contracts.MarketCalendar;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.messaging.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The market's calendar, read from Alpaca ({@code GET /v2/calendar}, 40 days back to 400 ahead) at start and every
 * day ({@code rebalancer.calendar-refresh-interval}, {@code CALENDAR_REFRESH_INTERVAL}, default 24h) and published on
 * the compacted {@link Topics#CALENDAR} through the outbox: the drift monitor, which talks only to Kafka, goes by its
 * trading days. When Alpaca cannot be asked, the calendar published before stays and the next round tries again.
 */
@ApplicationScoped
public class CalendarPublisher {

    static final int DAYS_BACK = 40;
    static final int DAYS_AHEAD = 400;
    private static final Logger LOG = Logger.getLogger(CalendarPublisher.class);

    private final AlpacaAccounts accounts;
    private final Outbox outbox;
    private final dev.rebalancer.portfolio.messaging.Instances instances;

    CalendarPublisher(AlpacaAccounts accounts, Outbox outbox, dev.rebalancer.portfolio.messaging.Instances instances) {
        this.accounts = accounts;
        this.outbox = outbox;
        this.instances = instances;
    }

    @Scheduled(every = "${rebalancer.calendar-refresh-interval:24h}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "calendar-publisher")
    void scheduled() {
        if (!instances.leader()) {
            return;
        }
        try {
            publish();
        } catch (AlpacaException | IllegalStateException e) {
            LOG.warnf("market calendar not refreshed (the one published before stays): %s", e.getMessage());
        }
    }

    /** Reads the calendar from Alpaca and publishes it; returns what was published. */
    public MarketCalendar publish() {
        AlpacaClient client = accounts.anyClient().orElseThrow(() -> new IllegalStateException(
                "no Alpaca account is configured to read the calendar with"));
        LocalDate today = LocalDate.now(CalendarDay.NEW_YORK);
        LocalDate start = today.minusDays(DAYS_BACK);
        LocalDate end = today.plusDays(DAYS_AHEAD);
        MarketCalendar calendar = new MarketCalendar(UUID.randomUUID().toString(), Instant.now(), start, end,
                client.calendar(start, end).stream()
                        .map(d -> new MarketCalendar.TradingDay(d.date(), d.open(), d.close())).toList());
        QuarkusTransaction.requiringNew().run(() -> outbox.publish(Topics.CALENDAR, MarketCalendar.KEY, calendar));
        return calendar;
    }
}
