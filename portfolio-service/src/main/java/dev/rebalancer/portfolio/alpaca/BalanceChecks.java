package dev.rebalancer.portfolio.alpaca;

import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.model.Account;
import dev.rebalancer.alpaca.model.Activity;
import dev.rebalancer.alpaca.model.CalendarDay;
import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.alpaca.model.Position;
import dev.rebalancer.contracts.Money;
import dev.rebalancer.portfolio.book.EndOfDayBook;
import dev.rebalancer.portfolio.book.EndOfDayBook.Kept;
import dev.rebalancer.portfolio.book.Views;
import dev.rebalancer.portfolio.config.PortfolioConfig;
import dev.rebalancer.portfolio.domain.BalanceReckoning;
import dev.rebalancer.portfolio.domain.BalanceReckoning.EndOfDay;
import dev.rebalancer.portfolio.domain.BalanceReckoning.Fill;
import dev.rebalancer.portfolio.domain.BalanceReckoning.Holding;
import dev.rebalancer.portfolio.domain.BalanceReckoning.Result;
import dev.rebalancer.runtime.WorkerLoop;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The daily balance check, {@code rebalancer.balance.after-close} after each close (or on demand): per account, the
 * end-of-day snapshot is taken from Alpaca and its equity compared with what yesterday's snapshot, the fills of the
 * rebalancer's orders since and the day's cash activities predict ({@link BalanceReckoning}). A difference beyond the
 * tolerance, a fill the rebalancer did not place, a position in no target, or an order still open after the close is
 * one WARNING alert for the account, naming what explains it. A day is checked once; a day whose next session has
 * begun is no longer checked (the positions would no longer be that close's).
 */
@ApplicationScoped
public class BalanceChecks {

    private static final Logger LOG = Logger.getLogger(BalanceChecks.class);
    static final List<String> CASH_FLOWS = List.of("CSD", "CSW", "JNLC");
    /** How far back an order may have been submitted and still have filled since the last snapshot. */
    private static final Duration ORDERS_LOOKBACK = Duration.ofDays(7);

    private final AlpacaAccounts accounts;
    private final EndOfDayBook book;
    private final PortfolioConfig.Balance settings;
    private final WorkerLoop loop;
    private List<CalendarDay> calendar = List.of();
    private LocalDate calendarOf;

    BalanceChecks(AlpacaAccounts accounts, EndOfDayBook book, PortfolioConfig config) {
        this.accounts = accounts;
        this.book = book;
        this.settings = config.balance();
        this.loop = new WorkerLoop("balance-check", settings.interval(), this::round);
    }

    void start(@Observes StartupEvent event) {
        if (settings.enabled()) {
            loop.start();
        } else {
            LOG.info("the daily balance check does not run by itself (BALANCE_CHECK_ENABLED=false)");
        }
    }

    void stop(@Observes ShutdownEvent event) {
        loop.close();
    }

    /**
     * The trading day due for its check at {@code now}: the latest whose close is {@code afterClose} past, provided
     * the next session has not opened yet.
     */
    static Optional<LocalDate> due(List<CalendarDay> days, Instant now, Duration afterClose) {
        List<CalendarDay> sorted = days.stream().sorted(Comparator.comparing(CalendarDay::date)).toList();
        for (int i = sorted.size() - 1; i >= 0; i--) {
            CalendarDay day = sorted.get(i);
            if (!day.closesAt().toInstant().plus(afterClose).isAfter(now)) {
                boolean nextOpened = i + 1 < sorted.size() && !sorted.get(i + 1).opensAt().toInstant().isAfter(now);
                return nextOpened ? Optional.empty() : Optional.of(day.date());
            }
        }
        return Optional.empty();
    }

    private void round() {
        Optional<AlpacaClient> any = accounts.anyClient();
        if (any.isEmpty()) {
            return;
        }
        LocalDate today = LocalDate.now(CalendarDay.NEW_YORK);
        if (!today.equals(calendarOf)) {
            calendar = any.get().background().calendar(today.minusDays(10), today.plusDays(10));
            calendarOf = today;
        }
        due(calendar, Instant.now(), settings.afterClose()).ifPresent(day -> {
            for (AlpacaAccounts.Managed account : accounts.all()) {
                try {
                    check(account, day); // a day checked already is one read, and nothing more
                } catch (AlpacaException e) {
                    LOG.warnf("balance check of account %s for %s not made (tried again next round): %s",
                            account.name(), day, e.getMessage());
                }
            }
        });
    }

    /** Checks every account for that day now (what {@code POST /v1/balance-checks} does). */
    public Views.BalanceCheck run(LocalDate day) {
        List<Views.BalanceCheckAccount> results = new ArrayList<>();
        for (AlpacaAccounts.Managed account : accounts.all()) {
            results.add(check(account, day));
        }
        return new Views.BalanceCheck(day, results);
    }

    /** One account's check of one day; a day checked before answers what it found then. */
    Views.BalanceCheckAccount check(AlpacaAccounts.Managed account, LocalDate day) {
        String id = account.accountId();
        Optional<Kept> done = book.of(id, day);
        if (done.isPresent()) {
            return view(account, done.get(), null, true);
        }
        AlpacaClient alpaca = account.client().background();
        Instant takenAt = Instant.now();
        Account now = alpaca.account();
        List<Holding> holdings = alpaca.positions().stream().map(BalanceChecks::holding).toList();
        EndOfDay today = new EndOfDay(now.equity(), now.cash(), holdings);
        Optional<Kept> before = book.before(id, day);
        List<String> findings = new ArrayList<>();
        Result result = null;
        if (before.isPresent()) {
            Instant since = before.get().takenAt();
            List<Fill> fills = alpaca.orders("all", 500, "desc", since.minus(ORDERS_LOOKBACK)).stream()
                    .filter(o -> o.filledQty() != null && o.filledQty().signum() > 0 && o.filledAvgPrice() != null)
                    .filter(o -> (o.filledAt() != null ? o.filledAt() : o.updatedAt()).isAfter(since))
                    .map(BalanceChecks::fill).toList();
            BigDecimal flows = alpaca.activitiesAfter(CASH_FLOWS, since, null).stream()
                    .filter(a -> !"canceled".equalsIgnoreCase(a.status()) && a.netAmount() != null)
                    .map(Activity::netAmount).reduce(BigDecimal.ZERO, BigDecimal::add);
            result = BalanceReckoning.reckon(before.get().endOfDay(), today, fills, flows, settings.tolerance());
            if (result.beyondTolerance()) {
                findings.add("Equity " + Money.dollars(result.equity()) + ", "
                        + Money.dollars(result.predictedEquity()) + " expected from " + before.get().day()
                        + "'s close, the fills and cash flows since: " + Money.signed(result.difference()));
                findings.addAll(result.positions());
                if (result.cash() != null) {
                    findings.add(result.cash());
                }
            }
            result.unexpectedFills().forEach(f -> findings.add("Fill not placed by the rebalancer: " + f));
        }
        Optional<Set<String>> targets = book.targets(id);
        targets.ifPresent(symbols -> holdings.stream().filter(h -> !symbols.contains(h.symbol())).forEach(h ->
                findings.add("Position in no target: " + h.symbol() + " " + h.qty().stripTrailingZeros()
                        .toPlainString() + " shares, " + Money.dollars(h.qty().multiply(h.price())))));
        for (Order open : alpaca.orders("open", 500, "asc")) {
            findings.add("Open after the close: " + open.side() + " " + open.symbol() + " ("
                    + (open.qty() != null ? open.qty().stripTrailingZeros().toPlainString() + " shares"
                    : Money.dollars(open.notional())) + ", order " + open.clientOrderId() + ", "
                    + open.status() + ")");
        }
        String outcome = before.isEmpty() && findings.isEmpty() ? "first_snapshot"
                : findings.isEmpty() ? "balanced" : "findings";
        Kept kept = new Kept(day, today, takenAt, outcome, List.copyOf(findings));
        String title = "Balance check of " + account.name() + " for " + day + ": " + (result != null
                && result.beyondTolerance() ? "equity off by " + Money.dollars(result.difference().abs())
                : findings.size() + (findings.size() == 1 ? " thing" : " things") + " to look at");
        boolean fresh = book.keep(id, kept, findings.isEmpty() ? null : title, String.join("\n", findings));
        LOG.infof("balance check of account %s for %s: %s%s", account.name(), day, outcome,
                fresh ? "" : " (checked meanwhile by another instance)");
        return fresh ? view(account, kept, result, false) : view(account, book.of(id, day).orElseThrow(), null, true);
    }

    private static Views.BalanceCheckAccount view(AlpacaAccounts.Managed account, Kept kept, Result result,
            boolean before) {
        return new Views.BalanceCheckAccount(account.accountId(), account.name(), kept.outcome(), before,
                kept.endOfDay().equity(), result == null ? null : result.predictedEquity(),
                result == null ? null : result.difference(), kept.findings(), kept.takenAt());
    }

    private static Holding holding(Position p) {
        BigDecimal price = p.currentPrice() != null ? p.currentPrice()
                : p.marketValue().divide(p.qty(), 6, java.math.RoundingMode.HALF_EVEN);
        return new Holding(p.symbol(), p.qty(), price);
    }

    private static Fill fill(Order o) {
        return new Fill(o.symbol(), o.side(), o.filledQty(), o.filledAvgPrice(), o.clientOrderId(),
                o.clientOrderId() != null && o.clientOrderId().startsWith("rb-"));
    }
}
