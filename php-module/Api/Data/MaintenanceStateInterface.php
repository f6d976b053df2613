<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * The store's maintenance state as the module sees it.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface MaintenanceStateInterface
{
    public const KEY_MODE = 'mode';
    public const KEY_MESSAGE = 'message';
    public const KEY_RETRY_AFTER = 'retry_after';
    public const KEY_ALLOWED_IPS = 'allowed_ips';
    public const KEY_MAGENTO_FLAG = 'magento_flag';
    public const KEY_CHANGED_AT = 'changed_at';

    /**
     * @return string
     */
    public function getMode(): string;

    /**
     * @return string|null
     */
    public function getMessage(): ?string;

    /**
     * @return int
     */
    public function getRetryAfter(): int;

    /**
     * @return string[]
     */
    public function getAllowedIps(): array;

    /**
     * @return bool
     */
    public function isMagentoFlag(): bool;

    /**
     * @return string|null
     */
    public function getChangedAt(): ?string;
}
