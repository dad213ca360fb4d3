package dev.rebalancer.portfolio.rest;

import dev.rebalancer.portfolio.config.PortfolioConfig;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks HTTP Basic credentials against {@code REBALANCER_API_KEY} / {@code REBALANCER_API_SECRET}, as Alpaca's
 * broker API takes its keys. Compared in constant time; neither is ever logged.
 */
@ApplicationScoped
public class ApiCredentials implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private final byte[] key;
    private final byte[] secret;

    ApiCredentials(PortfolioConfig config) {
        this.key = config.api().key().getBytes(StandardCharsets.UTF_8);
        this.secret = config.api().secret().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        boolean keyMatches = MessageDigest.isEqual(key, request.getUsername().getBytes(StandardCharsets.UTF_8));
        boolean secretMatches = MessageDigest.isEqual(secret,
                new String(request.getPassword().getPassword()).getBytes(StandardCharsets.UTF_8));
        if (keyMatches && secretMatches) {
            return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(request.getUsername())).build());
        }
        return Uni.createFrom().failure(new AuthenticationFailedException("wrong API credentials"));
    }
}
