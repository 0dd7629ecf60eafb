package dev.llmrouter.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The router library stays free of the server's HTTP framework and of the training stack; DJL may enter only
 * behind the ONNX classifier runtime in {@code dev.llmrouter.classify.onnx}.
 */
@AnalyzeClasses(packages = "dev.llmrouter", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule routerDoesNotDependOnHelidon = noClasses()
            .that()
            .resideInAPackage("dev.llmrouter..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.helidon..")
            .because("the router is a library; Helidon belongs to the server module");

    @ArchTest
    static final ArchRule routerDoesNotDependOnTribuo = noClasses()
            .that()
            .resideInAPackage("dev.llmrouter..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.tribuo..")
            .because("training code belongs to the training module; the router only runs exported models");

    @ArchTest
    static final ArchRule packagesFormNoCycle = slices().matching("dev.llmrouter.(*)..")
            .should()
            .beFreeOfCycles()
            .because("each package builds on the ones below it: a cycle makes two packages one");

    @ArchTest
    static final ArchRule onlyTheOnnxRuntimeDependsOnDjl = noClasses()
            .that()
            .resideInAPackage("dev.llmrouter..")
            .and()
            .resideOutsideOfPackage("dev.llmrouter.classify.onnx..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("ai.djl..")
            .because("DJL and ONNX Runtime stay behind the classifier runtime in dev.llmrouter.classify.onnx");
}
