<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Reads store content that no core REST route exposes, for the skimmer scan: widget instances, layout
 * updates and e-mail templates, one type per call, in id order after a cursor.
 *
 * @api
 */
interface GetStoreContentInterface
{
    /**
     * Runs the use case.
     *
     * @param string $type widget_instance, layout_update or email_template.
     * @param int $afterId Only rows with a greater id (0 = from the first).
     * @param int $pageSize At most this many (1-500).
     * @return \MagentoIr\IncidentResponse\Api\Data\StoreContentListInterface
     * @throws \Magento\Framework\Exception\InputException
     */
    public function execute(
        string $type,
        int $afterId = 0,
        int $pageSize = 100
    ): \MagentoIr\IncidentResponse\Api\Data\StoreContentListInterface;
}
