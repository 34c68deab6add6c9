package org.citytwin.twin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.json.JsonValue;
import org.eclipse.ditto.things.model.ThingsModelFactory;
import org.junit.jupiter.api.Test;

class ThingModelCatalogueTest {

  private final ThingModelCatalogue catalogue = ThingModelCatalogue.shipped();

  @Test
  void shipsEightObjectCategoriesAndFifteenDeviceKinds() {
    assertThat(catalogue.inCategory("managed-object")).hasSize(8);
    assertThat(catalogue.inCategory("device")).hasSize(15);
    assertThat(
            catalogue.inCategory("managed-object").stream()
                .map(d -> d.getName())
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(
            "bridge",
            "lamp-post",
            "river-section",
            "waterlogging-point",
            "road-segment",
            "construction-site",
            "vehicle",
            "drone-flight");
  }

  @Test
  void everyModelIsAThingModelOwnedByAKnownDepartmentWithLocationAndHierarchy() {
    Set<String> departments =
        Departments.ALL.stream().map(Departments.Department::id).collect(Collectors.toSet());
    catalogue
        .all()
        .forEach(
            (definition, model) -> {
              assertThat(model.getValue("@type")).contains(JsonValue.of("tm:ThingModel"));
              assertThat(departments)
                  .contains(model.getValue("citytwin:department").orElseThrow().asString());
              JsonObject attributes =
                  model
                      .getValue(JsonPointer.of("properties/attributes/properties"))
                      .orElseThrow()
                      .asObject();
              assertThat(attributes.contains("location")).as(definition.toString()).isTrue();
              assertThat(attributes.contains("hierarchy")).as(definition.toString()).isTrue();
            });
  }

  @Test
  void theWaterQualityStationMeasuresSixteenIndicatorsEachWithAUnit() {
    JsonObject quality =
        catalogue
            .find(ThingsModelFactory.newDefinition("citytwin:water-quality-station:1.0.0"))
            .orElseThrow()
            .getValue(JsonPointer.of("citytwin:features/quality/properties"))
            .orElseThrow()
            .asObject();
    assertThat(quality.getSize()).isEqualTo(16);
    quality.forEach(
        indicator ->
            assertThat(indicator.getValue().asObject().contains("unit"))
                .as(indicator.getKeyName())
                .isTrue());
  }

  @Test
  void theWaterloggingGaugeModelMatchesWhatIngestWrites() {
    JsonObject depth =
        catalogue
            .find(ThingModels.WATERLOGGING_GAUGE)
            .orElseThrow()
            .getValue(
                JsonPointer.of(
                    "citytwin:features/"
                        + ThingModels.WATERLOGGING_FEATURE
                        + "/properties/"
                        + ThingModels.DEPTH_PROPERTY))
            .orElseThrow()
            .asObject();
    assertThat(depth.getValue("unit")).contains(JsonValue.of(CanonicalUnit.METRE.symbol()));
  }

  @Test
  void everyUnitAModelNamesIsACanonicalUnit() {
    catalogue
        .all()
        .forEach(
            (definition, model) ->
                model
                    .getValue(JsonPointer.of("citytwin:features"))
                    .map(JsonValue::asObject)
                    .orElse(JsonObject.empty())
                    .forEach(
                        feature ->
                            feature
                                .getValue()
                                .asObject()
                                .getValue(JsonPointer.of("properties"))
                                .orElseThrow()
                                .asObject()
                                .forEach(
                                    property ->
                                        property
                                            .getValue()
                                            .asObject()
                                            .getValue("unit")
                                            .ifPresent(
                                                unit ->
                                                    assertThat(
                                                            CanonicalUnit.ofSymbol(unit.asString()))
                                                        .as(
                                                            definition
                                                                + " "
                                                                + feature.getKeyName()
                                                                + "/"
                                                                + property.getKeyName())
                                                        .isPresent()))));
  }
}
