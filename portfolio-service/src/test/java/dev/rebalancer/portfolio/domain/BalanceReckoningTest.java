package dev.rebalancer.portfolio.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.portfolio.domain.BalanceReckoning.EndOfDay;
import dev.rebalancer.portfolio.domain.BalanceReckoning.Fill;
import dev.rebalancer.portfolio.domain.BalanceReckoning.Holding;
import dev.rebalancer.portfolio.domain.BalanceReckoning.Result;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class BalanceReckoningTest {

    private static final BigDecimal TOLERANCE = new BigDecimal("1.00");

    private static BigDecimal d(String value) {
        return new BigDecimal(value);
    }

    @Test
    void a_two_for_one_split_is_named_with_the_whole_difference_it_explains() {
        // Yesterday 10 SPY at $500 and $1,000 cash; today Alpaca shows 20 SPY at $250: worth the same, but the
        // prediction (yesterday's 10 at today's $250) is $2,500 short.
        EndOfDay yesterday = new EndOfDay(d("6000"), d("1000"), List.of(new Holding("SPY", d("10"), d("500"))));
        EndOfDay today = new EndOfDay(d("6000"), d("1000"), List.of(new Holding("SPY", d("20"), d("250"))));

        Result result = BalanceReckoning.reckon(yesterday, today, List.of(), BigDecimal.ZERO, TOLERANCE);

        assertThat(result.predictedEquity()).isEqualByComparingTo("3500.00");
        assertThat(result.difference()).isEqualByComparingTo("2500.00");
        assertThat(result.beyondTolerance()).isTrue();
        assertThat(result.positions()).containsExactly(
                "SPY: 20 held, 10 expected (10 yesterday) — ×2: a 2-for-1 split?; explains +$2,500.00");
        assertThat(result.cash()).isNull();
    }

    @Test
    void the_rebalancers_own_fills_deposits_and_price_moves_are_predicted_so_nothing_is_found() {
        EndOfDay yesterday = new EndOfDay(d("6000"), d("1000"), List.of(new Holding("SPY", d("10"), d("500"))));
        // A $500 deposit; our orders sold 2 SPY at $505 and bought 3.5 TLT at $90; SPY closed at $510, TLT at $91.
        BigDecimal cash = d("1000").add(d("500")).add(d("1010")).subtract(d("315"));
        BigDecimal equity = cash.add(d("8").multiply(d("510"))).add(d("3.5").multiply(d("91")));
        EndOfDay today = new EndOfDay(equity, cash, List.of(new Holding("SPY", d("8"), d("510")),
                new Holding("TLT", d("3.5"), d("91"))));
        List<Fill> fills = List.of(new Fill("SPY", "sell", d("2"), d("505"), "rb-1-s-SPY", true),
                new Fill("TLT", "buy", d("3.5"), d("90"), "rb-1-b-TLT", true));

        Result result = BalanceReckoning.reckon(yesterday, today, fills, d("500"), TOLERANCE);

        assertThat(result.difference()).isEqualByComparingTo("0");
        assertThat(result.beyondTolerance()).isFalse();
        assertThat(result.positions()).isEmpty();
        assertThat(result.unexpectedFills()).isEmpty();
        assertThat(result.cash()).isNull();
    }

    @Test
    void a_missing_position_a_reverse_split_a_stranger_fill_and_a_fee_are_each_named() {
        EndOfDay yesterday = new EndOfDay(d("3000"), d("1000"), List.of(new Holding("SPY", d("2"), d("500")),
                new Holding("TLT", d("10"), d("100"))));
        // TLT gone; SPY 1-for-2 (1 share at $1,000); someone bought 1 QQQ at $400 outside the rebalancer; a $7 fee.
        EndOfDay today = new EndOfDay(d("1993"), d("593"), List.of(new Holding("SPY", d("1"), d("1000")),
                new Holding("QQQ", d("1"), d("400"))));
        List<Fill> fills = List.of(new Fill("QQQ", "buy", d("1"), d("400"), "manual-1", false));

        Result result = BalanceReckoning.reckon(yesterday, today, fills, BigDecimal.ZERO, TOLERANCE);

        // Predicted: $1,000 cash + 2 SPY at $1,000 + 10 TLT at yesterday's $100 = $4,000.
        assertThat(result.predictedEquity()).isEqualByComparingTo("4000.00");
        assertThat(result.difference()).isEqualByComparingTo("-2007.00");
        assertThat(result.positions()).containsExactly(
                "QQQ: 1 held, 0 expected (0 yesterday) — a position no fill of the rebalancer's made; explains +$400.00",
                "SPY: 1 held, 2 expected (2 yesterday) — ÷2: a 1-for-2 reverse split?; explains -$1,000.00",
                "TLT: 0 held, 10 expected (10 yesterday) — the position is missing; explains -$1,000.00");
        assertThat(result.unexpectedFills()).containsExactly(
                "buy 1 QQQ at $400.00 (order manual-1, not placed by the rebalancer)");
        assertThat(result.cash()).isEqualTo("cash: $593.00 held, $1,000.00 expected — the fills not placed by the "
                + "rebalancer, or a fee; explains -$407.00");
    }

    @Test
    void a_difference_within_the_tolerance_is_not_beyond_it() {
        EndOfDay yesterday = new EndOfDay(d("1000"), d("1000"), List.of());
        EndOfDay today = new EndOfDay(d("999.50"), d("999.50"), List.of());

        Result result = BalanceReckoning.reckon(yesterday, today, List.of(), BigDecimal.ZERO, TOLERANCE);

        assertThat(result.difference()).isEqualByComparingTo("-0.50");
        assertThat(result.beyondTolerance()).isFalse();
        assertThat(result.cash()).isNull();
    }
}
