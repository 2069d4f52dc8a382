package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TensorLayoutTest {
  @Test
  void builderAssignsContiguousOffsets() {
    var layout = TensorLayout.builder().add("w", 3, 4).add("b", 4).add("empty", 0).build();
    assertThat(layout.tensors()).extracting(TensorLayout.Tensor::offset).containsExactly(0, 12, 16);
    assertThat(layout.totalLength()).isEqualTo(16);
    assertThat(layout.tensor(0).shape()).containsExactly(3, 4);
  }

  @Test
  void gapsOverlapsAndDuplicatesAreRejected() {
    var w = new TensorLayout.Tensor("w", 0, 4, new int[] {4});
    assertThatThrownBy(() -> new TensorLayout(List.of(w, new TensorLayout.Tensor("b", 5, 1, new int[] {1}))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contiguous");
    assertThatThrownBy(() -> new TensorLayout(List.of(w, new TensorLayout.Tensor("b", 3, 1, new int[] {1}))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("starts at 3");
    assertThatThrownBy(() -> new TensorLayout(List.of(w, new TensorLayout.Tensor("w", 4, 1, new int[] {1}))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    assertThatThrownBy(() -> new TensorLayout.Tensor("x", 0, 5, new int[] {2, 3}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 3]");
    assertThatThrownBy(() -> new TensorLayout.Tensor(" ", 0, 1, new int[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shapeIsCopiedInAndOut() {
    int[] shape = {2, 2};
    var t = new TensorLayout.Tensor("w", 0, 4, shape);
    shape[0] = 9;
    t.shape()[1] = 9;
    assertThat(t.shape()).containsExactly(2, 2);
    assertThat(t).isEqualTo(new TensorLayout.Tensor("w", 0, 4, new int[] {2, 2}));
  }

  @Test
  void fingerprintDependsOnNamesAndShapes() {
    long a = TensorLayout.builder().add("w", 3, 4).build().fingerprint();
    assertThat(TensorLayout.builder().add("w", 3, 4).build().fingerprint()).isEqualTo(a);
    assertThat(TensorLayout.builder().add("w", 4, 3).build().fingerprint()).isNotEqualTo(a);
    assertThat(TensorLayout.builder().add("v", 3, 4).build().fingerprint()).isNotEqualTo(a);
  }
}
