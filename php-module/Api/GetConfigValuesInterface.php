<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Reads core_config_data rows for evidence config paths (an allow-list), encrypted values masked.
 *
 * @api
 */
interface GetConfigValuesInterface
{
    /**
     * Runs the use case.
     *
     * @param string[] $paths Exact paths, or patterns with a * segment the allow-list covers.
     * @return \MagentoIr\IncidentResponse\Api\Data\ConfigValueListInterface
     */
    public function execute(
        array $paths
    ): \MagentoIr\IncidentResponse\Api\Data\ConfigValueListInterface;
}
