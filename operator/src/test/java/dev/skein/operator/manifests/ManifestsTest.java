package dev.skein.operator.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skein.operator.cluster.ClusterChildren;
import dev.skein.operator.cluster.ClusterModel;
import dev.skein.operator.cluster.RackSpec;
import dev.skein.operator.cluster.SkeinCluster;
import dev.skein.operator.cluster.SkeinClusterReconciler;
import dev.skein.operator.cluster.SkeinClusterSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every YAML under deploy/ and crds/ parses, the examples are valid custom resources, and the RBAC is sufficient. */
class ManifestsTest {

    @Test
    void everyManifestParsesAsKubernetesObjects() {
        List<Path> files = Stream.concat(
                        RepoFiles.yamlFiles(RepoFiles.DEPLOY).stream(), RepoFiles.yamlFiles(RepoFiles.CRDS).stream())
                .toList();
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            List<JsonNode> docs = RepoFiles.documents(file);
            assertThat(docs).as(file + " has documents").isNotEmpty();
            for (JsonNode doc : docs) {
                assertThat(doc.path("apiVersion").asText())
                        .as(file + ": apiVersion")
                        .isNotBlank();
                assertThat(doc.path("kind").asText()).as(file + ": kind").isNotBlank();
                assertThat(doc.path("metadata").path("name").asText())
                        .as(file + ": metadata.name")
                        .isNotBlank();
                KubernetesResource parsed = Serialization.unmarshal(doc.toString(), KubernetesResource.class);
                assertThat(parsed).as(file + " unmarshals").isInstanceOf(HasMetadata.class);
            }
        }
    }

    @Test
    void everyExampleValidatesAgainstItsCrdSchema() {
        List<Path> examples = RepoFiles.yamlFiles(RepoFiles.DEPLOY.resolve("examples"));
        assertThat(examples).extracting(p -> p.getFileName().toString()).contains("skeincluster.yaml");
        List<JsonNode> crds = RepoFiles.yamlFiles(RepoFiles.CRDS).stream()
                .flatMap(p -> RepoFiles.documents(p).stream())
                .toList();
        for (Path example : examples) {
            for (JsonNode resource : RepoFiles.documents(example)) {
                JsonNode schema = schemaFor(crds, resource);
                assertThat(schema)
                        .as(example + ": a CRD in crds/ for "
                                + resource.path("apiVersion").asText() + " "
                                + resource.path("kind").asText())
                        .isNotNull();
                assertThat(StructuralSchemaValidator.validateResource(schema, resource))
                        .as(example + " against its CRD schema")
                        .isEmpty();
            }
        }
    }

    @Test
    void invalidExampleIsRejectedWithAPath() {
        List<JsonNode> crds = RepoFiles.documents(RepoFiles.CRDS.resolve("skeinclusters" + RepoFiles.CRD_SUFFIX));
        JsonNode example = RepoFiles.documents(RepoFiles.DEPLOY.resolve("examples/skeincluster.yaml"))
                .get(0)
                .deepCopy();
        ((ObjectNode) example.path("spec")).put("replicas", 0);
        ((ObjectNode) example.path("spec").path("storage")).put("size", "twenty gigs");
        assertThat(StructuralSchemaValidator.validateResource(schemaFor(crds, example), example))
                .containsExactlyInAnyOrder(
                        ".spec.replicas: 0 is less than the minimum 1.0",
                        ".spec.storage.size: 'twenty gigs' does not match "
                                + "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$");
    }

    @Test
    void operatorRoleCoversEverythingTheReconcilersTouch() {
        ClusterRole role = RepoFiles.yamlFiles(RepoFiles.DEPLOY).stream()
                .flatMap(p -> RepoFiles.documents(p).stream())
                .filter(d -> d.path("kind").asText().equals("ClusterRole")
                        && d.path("metadata").path("name").asText().equals("skein-operator"))
                .map(d -> Serialization.unmarshal(d.toString(), ClusterRole.class))
                .findFirst()
                .orElseThrow(() -> new AssertionError("deploy/ has no ClusterRole skein-operator"));

        // every custom resource of crds/: watched, finalized, status written
        for (JsonNode crd : RepoFiles.yamlFiles(RepoFiles.CRDS).stream()
                .flatMap(p -> RepoFiles.documents(p).stream())
                .toList()) {
            String group = crd.path("spec").path("group").asText();
            String plural = crd.path("spec").path("names").path("plural").asText();
            assertGrants(role, group, plural, "get", "list", "watch", "patch", "update");
            assertGrants(role, group, plural + "/status", "patch", "update");
            assertGrants(role, group, plural + "/finalizers", "update");
        }
        // every kind the SkeinCluster reconciler applies (rack and ZooKeeper on, so every kind appears)
        ClusterChildren children = ClusterChildren.desired(everyFeatureModel(), 3, null);
        List<HasMetadata> applied = new ArrayList<>(children.namespaced());
        applied.add(children.rackBinding().orElseThrow());
        for (HasMetadata child : applied) {
            assertGrants(
                    role,
                    HasMetadata.getGroup(child.getClass()),
                    HasMetadata.getPlural(child.getClass()),
                    "get",
                    "create",
                    "patch");
        }
        assertGrants(role, "rbac.authorization.k8s.io", "clusterrolebindings", "delete");
        for (Class<? extends HasMetadata> watched : SkeinClusterReconciler.WATCHED_CHILD_TYPES) {
            assertGrants(role, HasMetadata.getGroup(watched), HasMetadata.getPlural(watched), "list", "watch");
        }
        assertThat(role.getRules()).as("bind only the rack role").anySatisfy(rule -> {
            assertThat(rule.getResources()).containsExactly("clusterroles");
            assertThat(rule.getResourceNames()).containsExactly("skein-broker-rack");
            assertThat(rule.getVerbs()).containsExactly("bind");
        });
        assertThat(role.getRules()).as("no wildcards").allSatisfy(rule -> assertThat(
                        Stream.of(rule.getVerbs(), rule.getResources(), rule.getApiGroups())
                                .flatMap(List::stream))
                .doesNotContain("*"));
    }

    private static void assertGrants(ClusterRole role, String group, String resource, String... verbs) {
        for (String verb : verbs) {
            assertThat(role.getRules())
                    .as("ClusterRole skein-operator grants " + verb + " on " + resource + " in group '" + group + "'")
                    .anySatisfy(rule -> grants(rule, group, resource, verb));
        }
    }

    private static void grants(PolicyRule rule, String group, String resource, String verb) {
        assertThat(rule.getApiGroups()).contains(group == null ? "" : group);
        assertThat(rule.getResources()).contains(resource);
        assertThat(rule.getVerbs()).contains(verb);
        assertThat(rule.getResourceNames()).isNullOrEmpty();
    }

    private static JsonNode schemaFor(List<JsonNode> crds, JsonNode resource) {
        String[] apiVersion = resource.path("apiVersion").asText().split("/", 2);
        String kind = resource.path("kind").asText();
        for (JsonNode crd : crds) {
            JsonNode spec = crd.path("spec");
            if (apiVersion.length == 2
                    && spec.path("group").asText().equals(apiVersion[0])
                    && spec.path("names").path("kind").asText().equals(kind)) {
                for (JsonNode version : spec.path("versions")) {
                    if (version.path("name").asText().equals(apiVersion[1])) {
                        return version.path("schema").path("openAPIV3Schema");
                    }
                }
            }
        }
        return null;
    }

    private static ClusterModel everyFeatureModel() {
        SkeinCluster cluster = new SkeinCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName("c")
                .withNamespace("ns")
                .withUid("u")
                .build());
        SkeinClusterSpec spec = new SkeinClusterSpec();
        spec.setReplicas(3);
        spec.setRack(new RackSpec("topology.kubernetes.io/zone"));
        cluster.setSpec(spec);
        return ((ClusterModel.Valid) ClusterModel.from(cluster)).model();
    }
}
