<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * A configuration value at one scope.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface ConfigScopeValueInterface
{
    public const KEY_SCOPE = 'scope';
    public const KEY_SCOPE_ID = 'scope_id';
    public const KEY_VALUE = 'value';

    /**
     * @return string
     */
    public function getScope(): string;

    /**
     * @return int
     */
    public function getScopeId(): int;

    /**
     * @return string|null
     */
    public function getValue(): ?string;
}
