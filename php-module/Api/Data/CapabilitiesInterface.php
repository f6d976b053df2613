<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api\Data;

/**
 * What the installed module offers; the SDK detects the module with it.
 *
 * Immutable: serialised by Magento's REST layer with snake_case keys from the getters; getters that
 * return null are omitted from the response.
 */
interface CapabilitiesInterface
{
    public const KEY_MODULE_VERSION = 'module_version';
    public const KEY_MAGENTO_VERSION = 'magento_version';
    public const KEY_ACTIONS = 'actions';
    public const KEY_SESSION_STORAGE = 'session_storage';
    public const KEY_MAINTENANCE_MODE = 'maintenance_mode';

    /**
     * @return string
     */
    public function getModuleVersion(): string;

    /**
     * @return string
     */
    public function getMagentoVersion(): string;

    /**
     * @return string[]
     */
    public function getActions(): array;

    /**
     * @return string
     */
    public function getSessionStorage(): string;

    /**
     * @return string
     */
    public function getMaintenanceMode(): string;
}
