<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * One core_config_data row.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface ConfigValueInterface
{
    public const KEY_PATH = 'path';
    public const KEY_SCOPE = 'scope';
    public const KEY_SCOPE_ID = 'scope_id';
    public const KEY_VALUE = 'value';
    public const KEY_UPDATED_AT = 'updated_at';
    public const KEY_LOCKED = 'locked';

    /**
     * @return string
     */
    public function getPath(): string;

    /**
     * default, websites or stores.
     *
     * @return string
     */
    public function getScope(): string;

    /**
     * 0 for default.
     *
     * @return int
     */
    public function getScopeId(): int;

    /**
     * The stored value, "[encrypted]" for encrypted fields; null when NULL.
     *
     * @return string|null
     */
    public function getValue(): ?string;

    /**
     * @return string
     */
    public function getUpdatedAt(): string;

    /**
     * app/etc/env.php or config.php sets this path at this scope.
     *
     * @return bool
     */
    public function getLocked(): bool;
}
