<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * What a suspension or resumption did to one payment method.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface PaymentMethodResultInterface
{
    public const KEY_METHOD = 'method';
    public const KEY_RESULT = 'result';
    public const KEY_CHANGED = 'changed';
    public const KEY_LOCKED = 'locked';

    /**
     * @return string
     */
    public function getMethod(): string;

    /**
     * @return string
     */
    public function getResult(): string;

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\ConfigScopeValueInterface[]
     */
    public function getChanged(): array;

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\ConfigScopeValueInterface[]
     */
    public function getLocked(): array;
}
