<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * A page of one type of store content, in id order after a cursor.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters.
 */
interface StoreContentListInterface
{
    public const KEY_ITEMS = 'items';
    public const KEY_LAST_ENTITY_ID = 'last_entity_id';

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\StoreContentInterface[]
     */
    public function getItems(): array;

    /**
     * The greatest entity id on this page (pass it as afterId for the next one), or the afterId given.
     *
     * @return int
     */
    public function getLastEntityId(): int;
}
