package io.github.wshub.sample;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Issues and verifies the sample's development login tokens: {@code <name>.<signature>}, where
 * the signature is the HMAC-SHA256 of the name under a secret, base64url-encoded without padding.
 * A token proves that an instance knowing the secret issued it for that name, nothing more:
 * there is no password and no expiry. Real applications authenticate with Spring Security, whose
 * principal wshub uses by default.
 *
 * @author wshub
 */
public final class LoginTokens {

	/**
	 * User names the sample accepts: 1 to 32 ASCII letters, digits, {@code _} or {@code -}.
	 */
	public static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

	/**
	 * The shortest secret accepted.
	 */
	public static final int MIN_SECRET_LENGTH = 16;

	private static final String ALGORITHM = "HmacSHA256";

	private final SecretKeySpec key;

	/**
	 * Create an instance signing with the given secret.
	 * @param secret the secret, at least {@value #MIN_SECRET_LENGTH} bytes
	 */
	public LoginTokens(byte[] secret) {
		Assert.isTrue(secret.length >= MIN_SECRET_LENGTH,
				() -> "'secret' must be at least " + MIN_SECRET_LENGTH + " bytes long");
		this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
	}

	/**
	 * Whether a name is a valid user name.
	 * @param name the name
	 * @return {@code true} when it matches {@link #VALID_NAME}
	 */
	public static boolean isValidName(@Nullable String name) {
		return name != null && VALID_NAME.matcher(name).matches();
	}

	/**
	 * Issue a token for a user.
	 * @param name a valid user name
	 * @return the token
	 */
	public String issue(String name) {
		Assert.isTrue(isValidName(name), "'name' must be 1 to 32 letters, digits, '_' or '-'");
		return name + "." + signature(name);
	}

	/**
	 * Return the user a token was issued for.
	 * @param token the token, may be {@code null}
	 * @return the user name, or {@code null} when the token is missing, malformed or was not
	 * signed with this secret
	 */
	public @Nullable String verify(@Nullable String token) {
		if (token == null) {
			return null;
		}
		int dot = token.lastIndexOf('.');
		if (dot < 0) {
			return null;
		}
		String name = token.substring(0, dot);
		if (!isValidName(name)) {
			return null;
		}
		byte[] expected = signature(name).getBytes(StandardCharsets.US_ASCII);
		byte[] actual = token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
		return MessageDigest.isEqual(expected, actual) ? name : null;
	}

	private String signature(String name) {
		try {
			// Mac instances are not thread-safe; one per call is cheap enough for logins.
			Mac mac = Mac.getInstance(ALGORITHM);
			mac.init(this.key);
			byte[] digest = mac.doFinal(name.getBytes(StandardCharsets.US_ASCII));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is not available", ex);
		}
	}

}
