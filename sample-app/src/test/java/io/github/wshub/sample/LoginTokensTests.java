package io.github.wshub.sample;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link LoginTokens}.
 *
 * @author wshub
 */
class LoginTokensTests {

	private final LoginTokens tokens = new LoginTokens(secret("a secret of the tests"));

	@Test
	void issuedTokenVerifiesAsItsName() {
		String token = this.tokens.issue("alice_1-B");
		assertThat(token).startsWith("alice_1-B.").matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}");
		assertThat(this.tokens.verify(token)).isEqualTo("alice_1-B");
	}

	@Test
	void tokenOfAnotherSecretDoesNotVerify() {
		String token = new LoginTokens(secret("another secret of the tests")).issue("alice");
		assertThat(this.tokens.verify(token)).isNull();
	}

	@Test
	void tamperedTokensDoNotVerify() {
		String token = this.tokens.issue("alice");
		String signature = token.substring(token.indexOf('.') + 1);
		assertThat(this.tokens.verify("bob." + signature)).isNull();
		assertThat(this.tokens.verify(token + "A")).isNull();
		assertThat(this.tokens.verify(token.substring(0, token.length() - 1))).isNull();
		assertThat(this.tokens.verify("alice")).isNull();
		assertThat(this.tokens.verify("alice.")).isNull();
		assertThat(this.tokens.verify("." + signature)).isNull();
		assertThat(this.tokens.verify("")).isNull();
		assertThat(this.tokens.verify(null)).isNull();
	}

	@Test
	void namesAreLimitedToThirtyTwoSafeCharacters() {
		assertThat(LoginTokens.isValidName("a")).isTrue();
		assertThat(LoginTokens.isValidName("a".repeat(32))).isTrue();
		assertThat(LoginTokens.isValidName("a".repeat(33))).isFalse();
		assertThat(LoginTokens.isValidName("")).isFalse();
		assertThat(LoginTokens.isValidName(null)).isFalse();
		assertThat(LoginTokens.isValidName("al ice")).isFalse();
		assertThat(LoginTokens.isValidName("al.ice")).isFalse();
		assertThat(LoginTokens.isValidName("alicé")).isFalse();
		assertThatIllegalArgumentException().isThrownBy(() -> this.tokens.issue("al.ice"));
	}

	@Test
	void shortSecretsAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new LoginTokens(secret("too short")))
			.withMessageContaining("at least 16 bytes");
	}

	private static byte[] secret(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
