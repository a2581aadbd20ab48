package dev.skein.operator.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** A persistent volume claim template: size and storage class (the cluster default when unset). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {
    @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
    @JsonPropertyDescription("Requested size of each volume, a Kubernetes quantity such as 10Gi")
    private String size;

    @JsonPropertyDescription("StorageClass of the claims; the cluster default when unset")
    private String storageClass;

    public StorageSpec() {}

    public StorageSpec(String size, String storageClass) {
        this.size = size;
        this.storageClass = storageClass;
    }

    public String getSize() {
        return size;
    }

    public void setSize(String size) {
        this.size = size;
    }

    public String getStorageClass() {
        return storageClass;
    }

    public void setStorageClass(String storageClass) {
        this.storageClass = storageClass;
    }
}
