package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RebalanceDeferred;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.VolatilityFilter;
import dev.rebalancer.contracts.VolatilityReading;
import dev.rebalancer.portfolio.market.VolatilityPublisher;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.CboeVixFile;
import dev.rebalancer.testing.infra.CboeVixResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The volatility filter's side in portfolio-service: the readings it publishes for the drift monitor (the VIX close
 * from Cboe's file, served by a double; SPY's realised volatility from the simulator's daily bars), and the deferrals
 * it records from the monitor.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
@WithTestResource(CboeVixResource.class)
class VolatilityReadingsTest {

    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "rebalancer.volatility.vix-url")
    URI vixFile;
    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @Inject
    VolatilityPublisher publisher;

    private static void portfolioFiltering(String name, String source) {
        Api.authorized().body("""
                {"name":"%s","weights":[{"type":"asset","symbol":"SPY","percent":"60"},
                 {"type":"asset","symbol":"TLT","percent":"40"}],"cooldown_days":1,
                 "rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}],
                 "strategies":{"volatility_filter":{"source":"%s"}}}""".formatted(name, source))
                .when().post("/v1/rebalancing/portfolios").then().statusCode(200);
    }

    private static VolatilityReading reading(org.apache.kafka.clients.consumer.ConsumerRecord<String, String> r) {
        return EventJson.read(r.value(), VolatilityReading.class);
    }

    @Test
    void the_latest_vix_close_is_published_once_and_again_when_a_new_day_comes() {
        portfolioFiltering("Filtered by the VIX", "vix");
        LocalDate today = LocalDate.now(NEW_YORK);
        Map<LocalDate, String> days = new TreeMap<>(Map.of(today.minusDays(3), "18.04", today.minusDays(2), "22.10",
                today.minusDays(1), "34.2"));
        CboeVixFile.setCloses(vixFile, days);

        try (TopicProbe readings = new TopicProbe(bootstrap, Topics.VOLATILITY)) {
            publisher.refresh();
            publisher.refresh();

            List<VolatilityReading> published = readings.await(r -> "vix".equals(r.key())
                    && reading(r).asOf().equals(today.minusDays(1)), 1).stream().map(r -> reading(r)).toList();
            assertThat(published).singleElement().satisfies(reading -> {
                assertThat(reading.source()).isEqualTo(VolatilityFilter.Source.VIX);
                assertThat(reading.value()).isEqualByComparingTo("34.20");
                assertThat(reading.origin()).isEqualTo(vixFile.toString());
            });

            days.put(today, "28.5");
            CboeVixFile.setCloses(vixFile, days);
            publisher.refresh();

            assertThat(readings.await(r -> "vix".equals(r.key()) && reading(r).asOf().equals(today), 1))
                    .singleElement().satisfies(r -> assertThat(reading(r).value()).isEqualByComparingTo("28.50"));
            assertThat(readings.readToEnd(r -> "vix".equals(r.key()) && reading(r).asOf().equals(today.minusDays(1))))
                    .as("an unchanged reading is not published again").hasSize(1);
        }
    }

    @Test
    void a_vix_file_that_cannot_be_read_is_an_alert_once_a_day_and_is_asked_for_again() {
        portfolioFiltering("Filtered by the VIX, file away", "vix");
        CboeVixFile.setCloses(vixFile, Map.of(LocalDate.now(NEW_YORK).minusDays(1), "19.5"));
        publisher.refresh();
        int readsBefore = CboeVixFile.reads(vixFile);

        try (TopicProbe alerts = new TopicProbe(bootstrap, Topics.ALERTS)) {
            CboeVixFile.setFailing(vixFile, true);
            publisher.refresh();
            publisher.refresh();

            assertThat(CboeVixFile.reads(vixFile)).as("each round asks again").isEqualTo(readsBefore + 2);
            List<Alert> told = alerts.await(r -> r.value().contains("Volatility reading unavailable: VIX"), 1).stream()
                    .map(r -> EventJson.read(r.value(), Alert.class)).toList();
            assertThat(told).singleElement().satisfies(alert -> {
                assertThat(alert.title()).isEqualTo("Volatility reading unavailable: VIX");
                assertThat(alert.detail()).startsWith("VIX could not be read: HTTP 503 from " + vixFile)
                        .endsWith("go by the last reading for up to 5 days, then rebalance as if volatility were "
                                + "normal.");
            });
            assertThat(alerts.readToEnd(r -> r.value().contains("Volatility reading unavailable: VIX"))).as("once a day")
                    .hasSize(1);
        } finally {
            CboeVixFile.setFailing(vixFile, false);
        }
    }

    /**
     * Closes whose daily log returns alternate +1 % and -1 %: a mean of 0, a sample standard deviation of
     * 0.01 × √(20/19), annualised over 252 trading days.
     */
    @Test
    void spys_realised_volatility_over_20_days_is_published_from_alpacas_daily_bars() {
        portfolioFiltering("Filtered by SPY's volatility", "spy_realized_vol");
        LocalDate today = LocalDate.now(NEW_YORK);
        Map<LocalDate, String> closes = new TreeMap<>();
        for (int i = 0; i < 30; i++) {
            closes.put(today.minusDays(30 - i), i % 2 == 0 ? "400.000000" : new BigDecimal(400 * Math.exp(0.01))
                    .setScale(6, java.math.RoundingMode.HALF_EVEN).toPlainString());
        }
        new SimAdminClient(simulator).closes("SPY", closes);

        try (TopicProbe readings = new TopicProbe(bootstrap, Topics.VOLATILITY)) {
            publisher.refresh();

            VolatilityReading reading = reading(readings.await(r -> "spy_realized_vol".equals(r.key())
                    && reading(r).asOf().equals(today.minusDays(1)), 1).get(0));
            double expected = 0.01 * Math.sqrt(20.0 / 19.0) * Math.sqrt(252) * 100;
            assertThat(reading.value().doubleValue()).isCloseTo(expected, within(0.01));
            assertThat(reading.source()).isEqualTo(VolatilityFilter.Source.SPY_REALIZED_VOL);
        }
    }

    @Test
    void a_deferral_is_recorded_once_and_listed_in_words_for_its_account() throws Exception {
        String account = Accounts.idOf("main");
        LocalDate day = LocalDate.parse("2026-11-24").plusDays(Math.abs(UUID.randomUUID().hashCode() % 300));
        RebalanceDeferred deferred = new RebalanceDeferred(RebalanceDeferred.eventIdFor(account, day), account,
                Instant.now(), day, "portfolio-1", Trigger.DRIFT_BAND, "drift band breached by SPY at 66% (target "
                        + "60%, band ±5)", VolatilityFilter.Source.VIX, new BigDecimal("34.20"), day.minusDays(1),
                new BigDecimal("30"));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.DEFERRALS, account, EventJson.write(deferred))).get();
            producer.send(new ProducerRecord<>(Topics.DEFERRALS, account, EventJson.write(deferred))).get();
        }

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> Api.authorized()
                .when().get("/v1/accounts/" + account + "/deferrals").then().statusCode(200).extract().jsonPath()
                .getList("day", String.class).contains(day.toString()));
        var listed = Api.authorized().when().get("/v1/accounts/" + account + "/deferrals").then().statusCode(200)
                .extract().jsonPath();
        assertThat(listed.getList("day", String.class)).as("recorded once").containsOnlyOnce(day.toString());
        int at = listed.getList("day", String.class).indexOf(day.toString());
        assertThat(listed.getString("[" + at + "].trigger")).isEqualTo("drift_band");
        assertThat(listed.getString("[" + at + "].source")).isEqualTo("vix");
        assertThat(listed.getString("[" + at + "].reading")).isEqualTo("34.2");
        assertThat(listed.getString("[" + at + "].reason")).isEqualTo("VIX closed at 34.20 on " + day.minusDays(1)
                + ", above this portfolio's threshold of 30: drift band breached by SPY at 66% (target 60%, band ±5)"
                + " — not rebalanced while it stays above");

        Api.authorized().when().get("/v1/accounts/" + UUID.randomUUID() + "/deferrals").then().statusCode(404)
                .body("message", containsString("account not found"));
    }
}
