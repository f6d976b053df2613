<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Reports the module version, its actions, the session storage and the maintenance state.
 *
 * The SDK detects the module with this call.
 *
 * @api
 */
interface GetCapabilitiesInterface
{
    /**
     * Runs the use case.
     * @return \MagentoIr\IncidentResponse\Api\Data\CapabilitiesInterface
     */
    public function execute(): \MagentoIr\IncidentResponse\Api\Data\CapabilitiesInterface;
}
