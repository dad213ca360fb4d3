package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.MarketCalendar;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.alpaca.CalendarPublisher;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Alpaca's market calendar, published on the compacted calendar topic for the drift monitor. */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class MarketCalendarTest {

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    CalendarPublisher publisher;

    @Test
    void alpacas_calendar_with_its_holidays_and_early_closes_is_published_for_the_drift_monitor() {
        LocalDate today = LocalDate.now(ZoneId.of("America/New_York"));
        LocalDate holiday = nextWeekday(today.plusDays(20));
        LocalDate earlyClose = nextWeekday(holiday.plusDays(1));
        new SimAdminClient(simulator).calendar(List.of(holiday.toString()), Map.of(earlyClose.toString(), "13:00"));

        try (TopicProbe calendars = new TopicProbe(bootstrap, Topics.CALENDAR)) {
            publisher.publish();

            // The one published at start had no such holiday: the one published now is the one that leaves it out.
            MarketCalendar published = EventJson.read(calendars.await(r -> MarketCalendar.KEY.equals(r.key())
                    && EventJson.read(r.value(), MarketCalendar.class).days().stream()
                            .noneMatch(d -> d.date().equals(holiday)), 1).get(0).value(), MarketCalendar.class);
            assertThat(published.start()).isEqualTo(today.minusDays(40));
            assertThat(published.end()).isEqualTo(today.plusDays(400));
            assertThat(published.days()).extracting(MarketCalendar.TradingDay::date).doesNotContain(holiday)
                    .contains(earlyClose);
            assertThat(published.days()).filteredOn(d -> d.date().equals(earlyClose)).singleElement()
                    .satisfies(d -> assertThat(d.close()).isEqualTo(LocalTime.of(13, 0)));
            assertThat(published.days()).allSatisfy(d -> assertThat(d.date().getDayOfWeek().getValue() < 6
                    || d.date().equals(today)).isTrue());
        } finally {
            new SimAdminClient(simulator).calendar(List.of(), Map.of());
        }
    }

    private static LocalDate nextWeekday(LocalDate day) {
        LocalDate next = day;
        while (next.getDayOfWeek().getValue() >= 6) {
            next = next.plusDays(1);
        }
        return next;
    }
}
