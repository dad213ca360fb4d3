package dev.rebalancer.portfolio.book;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.EventJson;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViewsJsonTest {

    @Test
    void a_last_page_names_its_next_page_token_as_null() throws Exception {
        assertThat(EventJson.mapper().writeValueAsString(new Views.Subscriptions(List.of(), null)))
                .isEqualTo("{\"subscriptions\":[],\"next_page_token\":null}");
    }
}
