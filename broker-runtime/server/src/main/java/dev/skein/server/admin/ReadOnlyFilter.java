package dev.skein.server.admin;

import jakarta.inject.Inject;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code skein.admin.read-only=true}: the admin API answers every request that would change something (any method but
 * GET, HEAD and OPTIONS under {@code /api/}) with 403 and a problem naming the setting, until authentication exists.
 * Health and metrics are not affected.
 */
@Provider
public class ReadOnlyFilter implements ContainerRequestFilter {
    static final String KEY = "skein.admin.read-only";
    private static final Set<String> READING = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final boolean readOnly;

    @Inject
    public ReadOnlyFilter(@ConfigProperty(name = KEY, defaultValue = "false") boolean readOnly) {
        this.readOnly = readOnly;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!readOnly || READING.contains(request.getMethod())) {
            return;
        }
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/api/") || path.startsWith("api/")) {
            request.abortWith(ProblemMapper.problem(
                    Response.Status.FORBIDDEN,
                    "The admin API is read-only (" + KEY + "=true): " + request.getMethod() + " " + path
                            + " is turned off",
                    null));
        }
    }
}
