package dev.rebalancer.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TaxLossHarvestingTest {

    @Test
    void the_default_pairs_track_different_indexes_each_way_and_the_threshold_is_five_percent() {
        TaxLossHarvesting defaults = TaxLossHarvesting.defaults();

        assertThat(defaults.substitutes()).containsEntry("VOO", "VTI").containsEntry("VTI", "VOO")
                .containsEntry("VWO", "IEMG").containsEntry("IEMG", "VWO").containsEntry("QQQ", "VGT")
                .containsEntry("VGT", "QQQ").hasSize(6);
        assertThat(defaults.lossPercent()).isEqualByComparingTo("5");
        assertThat(EventJson.read(EventJson.write(new Strategies(null, defaults)), Strategies.class)
                .taxLossHarvesting()).isEqualTo(defaults);
    }

    @Test
    void a_pair_is_two_different_symbols_and_a_symbol_is_in_one_pair_only() {
        assertThatThrownBy(() -> new TaxLossHarvesting(List.of(List.of("VOO")), null, null))
                .hasMessageContaining("pairs[0]");
        assertThatThrownBy(() -> new TaxLossHarvesting(List.of(List.of("VOO", "VOO")), null, null))
                .hasMessageContaining("pairs[0]");
        assertThatThrownBy(() -> new TaxLossHarvesting(List.of(List.of("VOO", "VTI"), List.of("VTI", "SCHB")), null,
                null)).hasMessageContaining("one pair only");
        assertThatThrownBy(() -> new TaxLossHarvesting(null, java.math.BigDecimal.ZERO, null))
                .hasMessageContaining("loss_percent");
    }
}
