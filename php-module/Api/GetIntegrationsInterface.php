<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Lists every integration with its OAuth consumer's creation time, without keys, secrets or tokens.
 *
 * @api
 */
interface GetIntegrationsInterface
{
    /**
     * Runs the use case.
     *
     * @return \MagentoIr\IncidentResponse\Api\Data\IntegrationListInterface
     */
    public function execute(): \MagentoIr\IncidentResponse\Api\Data\IntegrationListInterface;
}
