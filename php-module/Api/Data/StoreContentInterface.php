<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * One widget instance, layout update or e-mail template: where it applies and its text fields, as stored.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface StoreContentInterface
{
    public const KEY_ENTITY_TYPE = 'entity_type';
    public const KEY_ENTITY_ID = 'entity_id';
    public const KEY_IDENTIFIER = 'identifier';
    public const KEY_STORE_IDS = 'store_ids';
    public const KEY_THEME_IDS = 'theme_ids';
    public const KEY_WIDGET_INSTANCE_ID = 'widget_instance_id';
    public const KEY_UPDATED_AT = 'updated_at';
    public const KEY_FIELDS = 'fields';

    /**
     * widget_instance, layout_update or email_template.
     *
     * @return string
     */
    public function getEntityType(): string;

    /**
     * instance_id, layout_update_id or template_id.
     *
     * @return int
     */
    public function getEntityId(): int;

    /**
     * The widget's title, the layout handle or the template code; null when empty.
     *
     * @return string|null
     */
    public function getIdentifier(): ?string;

    /**
     * Store views it applies to (0 = all); for a layout update, those of its layout links.
     *
     * @return int[]
     */
    public function getStoreIds(): array;

    /**
     * Themes it applies to; none for an e-mail template.
     *
     * @return int[]
     */
    public function getThemeIds(): array;

    /**
     * For a layout update a widget's page group made: that widget instance; null otherwise.
     *
     * @return int|null
     */
    public function getWidgetInstanceId(): ?int;

    /**
     * Last change (layout_update.updated_at, email_template.modified_at); null for widgets (not stored).
     *
     * @return string|null
     */
    public function getUpdatedAt(): ?string;

    /**
     * The text columns as stored, empty ones left out.
     *
     * @return \MagentoIr\IncidentResponse\Api\Data\StoreContentFieldInterface[]
     */
    public function getFields(): array;
}
