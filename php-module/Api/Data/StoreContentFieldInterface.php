<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * One text column of a content row: its column name and value as stored (widget_parameters is Magento's JSON).
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters.
 */
interface StoreContentFieldInterface
{
    public const KEY_NAME = 'name';
    public const KEY_VALUE = 'value';

    /**
     * @return string
     */
    public function getName(): string;

    /**
     * @return string
     */
    public function getValue(): string;
}
