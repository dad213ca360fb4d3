package dev.rebalancer.rules.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.OrderSide;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tax lots first in, first out, worked by hand. */
class LotsTest {

    private static final Instant DAY_1 = Instant.parse("2026-10-01T15:00:00Z");

    private static Lots.Fill fill(String id, OrderSide side, String qty, String price, int day) {
        return new Lots.Fill(id, "VOO", side, new BigDecimal(qty), new BigDecimal(price), DAY_1.plus(Duration.ofDays(day - 1)));
    }

    @Test
    void a_sale_closes_the_oldest_lots_first_and_realises_against_their_cost_not_the_average() {
        // 10 at $500 on day 1, 10 at $400 on day 5 (average $450). Selling 12 at $420 on day 40 closes the 10 at $500
        // and 2 at $400: cost $5,800, proceeds $5,040, a $760 loss — the average would say $360.
        Lots lots = Lots.of(List.of(fill("b1", OrderSide.BUY, "10", "500", 1), fill("b2", OrderSide.BUY, "10", "400", 5),
                fill("s1", OrderSide.SELL, "12", "420", 40)));

        assertThat(lots.sales()).singleElement().satisfies(sale -> {
            assertThat(sale.cost()).isEqualByComparingTo("5800.00");
            assertThat(sale.proceeds()).isEqualByComparingTo("5040.00");
            assertThat(sale.loss()).isEqualByComparingTo("760.00");
        });
        assertThat(lots.open("VOO")).singleElement().satisfies(lot -> {
            assertThat(lot.qty()).isEqualByComparingTo("8");
            assertThat(lot.price()).isEqualByComparingTo("400");
        });
        // Sold at a loss on day 40: not to be bought until day 70; a day later it may be.
        Instant day40 = DAY_1.plus(Duration.ofDays(39));
        assertThat(lots.noBuy(day40.plus(Duration.ofDays(29)))).containsExactly("VOO");
        assertThat(lots.noBuyUntil("VOO", day40)).contains(day40.plus(Duration.ofDays(30)));
        assertThat(lots.noBuy(day40.plus(Duration.ofDays(31)))).isEmpty();
        // The 8 left at $400, at $370: $240, 7.5 % — past 5 %; but not within 30 days of the day-5 buy.
        assertThat(lots.unrealisedLoss("VOO", new BigDecimal("370"))).isEqualByComparingTo("240.00");
        assertThat(lots.harvestable("VOO", new BigDecimal("370"), new BigDecimal("5"), BigDecimal.ZERO,
                DAY_1.plus(Duration.ofDays(20)))).isFalse();
        assertThat(lots.harvestable("VOO", new BigDecimal("370"), new BigDecimal("5"), BigDecimal.ZERO, day40))
                .isTrue();
        assertThat(lots.harvestable("VOO", new BigDecimal("390"), new BigDecimal("5"), BigDecimal.ZERO, day40))
                .as("$80, 2.5 %: under the threshold").isFalse();
        assertThat(lots.harvestable("VOO", new BigDecimal("370"), new BigDecimal("5"), new BigDecimal("500"), day40))
                .as("under the minimum dollars").isFalse();
    }

    @Test
    void a_sale_at_a_gain_blocks_nothing() {
        Lots lots = Lots.of(List.of(fill("b1", OrderSide.BUY, "10", "400", 1), fill("s1", OrderSide.SELL, "10", "450",
                40)));

        assertThat(lots.sales().get(0).loss()).isEqualByComparingTo("0");
        assertThat(lots.noBuy(DAY_1.plus(Duration.ofDays(41)))).isEmpty();
    }
}
