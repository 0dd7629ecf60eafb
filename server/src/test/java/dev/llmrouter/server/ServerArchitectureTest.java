package dev.llmrouter.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The server runs exported models; training code stays out of it. */
@AnalyzeClasses(packages = "dev.llmrouter.server", importOptions = ImportOption.DoNotIncludeTests.class)
class ServerArchitectureTest {
    @ArchTest
    static final ArchRule serverDoesNotDependOnTraining = noClasses()
            .that()
            .resideInAPackage("dev.llmrouter.server..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.tribuo..", "dev.llmrouter.training..", "dev.llmrouter.evalsets..")
            .because("the server serves exported models; training and evaluation belong to their modules");
}
