package io.github.wshub.sample;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import io.github.wshub.HubTemplate;
import io.github.wshub.session.SendResult;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The sample's HTTP API:
 * <ul>
 * <li>{@code POST /api/login {"name":"alice"}}: a development login without password; returns
 * {@code {"name":"alice","token":"..."}}. The page connects with {@code /ws?token=...} and sends
 * the token as {@code Authorization: Bearer ...} here.</li>
 * <li>{@code POST /api/direct {"to":"bob","text":"hi"}}: sends a {@code direct} frame
 * {@code {"from","text","instance"}} to every session of a user, on every instance, through
 * {@link HubTemplate#sendToUser}; returns where it went,
 * {@code {"sessions":1,"instances":1,"delivered":true}}.</li>
 * </ul>
 * Invalid input is answered with 400, a missing or invalid token with 401, both as
 * {@code application/problem+json} saying what is wrong.
 *
 * @author wshub
 */
@RestController
@RequestMapping("/api")
public class ChatApiController {

	/**
	 * Longest direct message text, in characters.
	 */
	public static final int MAX_TEXT_LENGTH = 500;

	private static final String BEARER = "Bearer ";

	private final LoginTokens tokens;

	private final HubTemplate hub;

	/**
	 * Create the controller.
	 * @param tokens issues and verifies login tokens
	 * @param hub sends direct messages
	 */
	public ChatApiController(LoginTokens tokens, HubTemplate hub) {
		this.tokens = tokens;
		this.hub = hub;
	}

	/**
	 * Log in: issue a token for a name.
	 * @param request the name
	 * @return the name and its token
	 */
	@PostMapping("/login")
	public LoginResponse login(@RequestBody LoginRequest request) {
		String name = requireName("name", request.name());
		return new LoginResponse(name, this.tokens.issue(name));
	}

	/**
	 * Send a direct message from the caller to every session of a user.
	 * @param authorization {@code Bearer <token>}
	 * @param request the recipient and text
	 * @return where the message went; {@code delivered} is {@code false} when the recipient is
	 * offline
	 */
	@PostMapping("/direct")
	public CompletableFuture<DirectResponse> direct(@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false)
	@Nullable String authorization, @RequestBody DirectRequest request) {
		String from = authenticate(authorization);
		String to = requireName("to", request.to());
		String text = requireText(request.text());
		return this.hub.sendToUser(to, new DirectMessage(from, text, this.hub.getInstanceId()))
			.orTimeout(10, TimeUnit.SECONDS)
			.handle((result, ex) -> {
				if (ex != null) {
					throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
							"The message could not be routed: the hub's Redis did not answer", ex);
				}
				return DirectResponse.of(result);
			});
	}

	private String authenticate(@Nullable String authorization) {
		String token = (authorization != null && authorization.startsWith(BEARER))
				? authorization.substring(BEARER.length()).trim() : null;
		String user = this.tokens.verify(token);
		if (user == null) {
			throw new UnauthorizedException((token != null) ? "The login token is not valid: log in again"
					: "Log in first: send 'Authorization: Bearer <token>' with the token from POST /api/login");
		}
		return user;
	}

	private static String requireName(String field, @Nullable String name) {
		if (!LoginTokens.isValidName(name)) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"'" + field + "' must be 1 to 32 characters, each a letter A-Z or a-z, a digit, '_' or '-'");
		}
		return name;
	}

	private static String requireText(@Nullable String text) {
		if (text == null || text.isBlank()) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "'text' must not be empty");
		}
		if (text.length() > MAX_TEXT_LENGTH) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"'text' must be at most " + MAX_TEXT_LENGTH + " characters long");
		}
		return text;
	}

	/**
	 * Body of {@code POST /api/login}.
	 *
	 * @param name the user name to log in as
	 */
	public record LoginRequest(@Nullable String name) {
	}

	/**
	 * Answer of {@code POST /api/login}.
	 *
	 * @param name the user name
	 * @param token the token: {@code /ws?token=...} and {@code Authorization: Bearer ...}
	 */
	public record LoginResponse(String name, String token) {
	}

	/**
	 * Body of {@code POST /api/direct}.
	 *
	 * @param to the recipient's user name
	 * @param text the message, at most {@value ChatApiController#MAX_TEXT_LENGTH} characters
	 */
	public record DirectRequest(@Nullable String to, @Nullable String text) {
	}

	/**
	 * The {@code data} of the {@code direct} frame the recipient receives.
	 *
	 * @param from the sender's user name, from the sender's token
	 * @param text the message
	 * @param instance the instance the sender's request went through
	 */
	public record DirectMessage(String from, String text, String instance) {
	}

	/**
	 * Answer of {@code POST /api/direct}: where the message was routed.
	 *
	 * @param sessions how many of the recipient's sessions it was routed to
	 * @param instances how many instances it was routed to
	 * @param delivered whether it reached at least one session ({@code false}: offline)
	 */
	public record DirectResponse(int sessions, int instances, boolean delivered) {

		static DirectResponse of(SendResult result) {
			return new DirectResponse(result.sessions(), result.instances(), result.isDelivered());
		}

	}

	/**
	 * 401 with a {@code WWW-Authenticate: Bearer} header.
	 */
	static final class UnauthorizedException extends ErrorResponseException {

		UnauthorizedException(String detail) {
			super(HttpStatus.UNAUTHORIZED, ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, detail), null);
			getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
		}

	}

}
