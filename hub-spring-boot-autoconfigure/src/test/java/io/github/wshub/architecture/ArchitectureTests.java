package io.github.wshub.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module's architecture rules, like Spring Boot's own build checks: no package tangles, and
 * only the Spring Boot integration knows both Spring Boot and the hub's core.
 *
 * @author wshub
 */
class ArchitectureTests {

	private static final String BASE = "io.github.wshub";

	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages(BASE);

	/**
	 * The packages of the Spring Boot integration: auto-configuration and the Actuator parts.
	 */
	private static final String[] BOOT_INTEGRATION = { BASE + ".autoconfigure..", BASE + ".actuate.." };

	@Test
	void packagesAreFreeOfCycles() {
		ArchRule rule = slices().assignedFrom(new TopLevelPackages()).should().beFreeOfCycles();
		rule.check(CLASSES);
	}

	@Test
	void onlyTheBootIntegrationKnowsSpringBoot() {
		ArchRule rule = noClasses().that()
			.resideOutsideOfPackages(BOOT_INTEGRATION)
			.should()
			.dependOnClassesThat()
			.resideInAPackage("org.springframework.boot..")
			.because("the core must work without Spring Boot; auto-configuration and Actuator adapt it");
		rule.check(CLASSES);
	}

	@Test
	void onlyTheServletTransportKnowsSpringsWebSocketApi() {
		// The reactive transport included: it must not depend on the servlet API either.
		ArchRule rule = noClasses().that()
			.resideOutsideOfPackages(BASE + ".servlet..", BASE + ".autoconfigure..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework.web.socket..", "jakarta.websocket..", "jakarta.servlet..")
			.because("the core carries frames through SessionTransport, so that another transport is an adapter");
		rule.check(CLASSES);
	}

	@Test
	void onlyTheReactiveTransportKnowsWebFluxAndReactorNetty() {
		ArchRule rule = noClasses().that()
			.resideOutsideOfPackages(BASE + ".reactive..", BASE + ".autoconfigure..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework.web.reactive..", "org.springframework.web.server..",
					"org.springframework.http.server.reactive..", "reactor.netty..", "io.netty..")
			.because("the core carries frames through SessionTransport, so that another transport is an adapter");
		rule.check(CLASSES);
	}

	@Test
	void nothingOutsideAutoConfigurationDependsOnIt() {
		ArchRule rule = noClasses().that()
			.resideOutsideOfPackage(BASE + ".autoconfigure..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage(BASE + ".autoconfigure..");
		rule.check(CLASSES);
	}

	/**
	 * One slice per package directly below {@code io.github.wshub}, and one for the base
	 * package itself.
	 */
	private static final class TopLevelPackages implements SliceAssignment {

		@Override
		public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
			String name = javaClass.getPackageName();
			if (name.equals(BASE)) {
				return SliceIdentifier.of("(base)");
			}
			if (!name.startsWith(BASE + ".")) {
				return SliceIdentifier.ignore();
			}
			String rest = name.substring(BASE.length() + 1);
			int dot = rest.indexOf('.');
			return SliceIdentifier.of((dot < 0) ? rest : rest.substring(0, dot));
		}

		@Override
		public String getDescription() {
			return "top-level packages of " + BASE;
		}

	}

}
